/**
 * The memory-bound kernels that run inline on the calling thread, reused from @cnn/backend-cpu (see cpu-kernels.ts
 * for why they are imported by relative source path). Kept apart from cpu-kernels.ts so the worker bundle, which
 * needs only the heavy kernels, does not pull in @cnn/core's op tables.
 */
export { unary } from '../../backend-cpu/src/kernels/Unary.js';
export { binary } from '../../backend-cpu/src/kernels/Binary.js';
export { cast } from '../../backend-cpu/src/kernels/Cast.js';
export { reduce } from '../../backend-cpu/src/kernels/Reduce.js';
export { transpose } from '../../backend-cpu/src/kernels/Transpose.js';
export { gather } from '../../backend-cpu/src/kernels/Gather.js';
export { gatherBackward } from '../../backend-cpu/src/kernels/GatherBackward.js';
export { oneHot } from '../../backend-cpu/src/kernels/OneHot.js';
