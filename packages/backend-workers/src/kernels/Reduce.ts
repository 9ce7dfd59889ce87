/** Reductions over the middle axis of [outer, reduce, inner]: one pass over memory, run inline. */
export { reduce } from '../cpu-light-kernels.js';
