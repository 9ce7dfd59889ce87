/** Broadcasting binary ops: memory-bound, run inline on the calling thread (backend-cpu's loops). */
export { binary } from '../cpu-light-kernels.js';
