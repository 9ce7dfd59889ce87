/** dtype conversion: a copy, run inline. */
export { cast } from '../cpu-light-kernels.js';
