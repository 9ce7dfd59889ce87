/**
 * The memory-bound kernels that run inline on the calling thread, reused from @cnn/backend-cpu. Kept apart from
 * cpu-kernels.ts so the worker bundle, which needs only the heavy kernels, does not pull in @cnn/core's op tables.
 */
export { unary, binary, cast, reduce, transpose, gather, gatherBackward, oneHot } from '@cnn/backend-cpu/elementwise-kernels';
