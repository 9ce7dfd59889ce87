/** Adjoint of gather: a scatter-add, run inline. */
export { gatherBackward } from '../cpu-light-kernels.js';
