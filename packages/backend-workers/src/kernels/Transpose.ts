/** Axis permutation: a copy, run inline. */
export { transpose } from '../cpu-light-kernels.js';
