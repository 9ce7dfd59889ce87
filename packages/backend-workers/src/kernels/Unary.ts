/** Elementwise unary ops: memory-bound and cheap, so they run inline on the calling thread (backend-cpu's loops). */
export { unary } from '../cpu-light-kernels.js';
