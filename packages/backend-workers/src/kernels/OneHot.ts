/** Class indices → one-hot rows: run inline. */
export { oneHot } from '../cpu-light-kernels.js';
