/**
 * '@cnn/core/geometry': core's resolvers — broadcasting, conv, pooling, gather and transpose geometry, and each
 * kernel's output — as a leaf with no tensors, autograd or op tables behind it, so backend kernels that run in a
 * worker thread (bundled on their own) can use the very same resolution as the calling thread.
 */
export { sizeOf, stridesOf, broadcastGeometry, broadcastShapes, broadcastedAxes, collapseDims } from './broadcast.js';
export type { BroadcastGeometry } from './broadcast.js';
export { resolveConv2d, convOutSize, samePadding, backwardInputAsConv, CONV_PADDING_MODES } from './conv.js';
export type { Conv2dGeometry, Conv2dOptions, ResolvedConv2d, ConvPaddingMode } from './conv.js';
export { resolveConvTranspose2d, convTransposeOutSize, outputPaddingFor } from './conv-transpose.js';
export type { ConvTranspose2dOptions } from './conv-transpose.js';
export { resolveInterpolate, checkInterpolateOptions, nearestIndexMap, linearTaps, INTERPOLATE_MODES } from './interpolate.js';
export type { InterpolateGeometry, InterpolateMode, InterpolateOptions } from './interpolate.js';
export { resolvePool2d, resolveAdaptivePool2d, poolOutSize } from './pool.js';
export type { Pool2dGeometry, Pool2dOptions } from './pool.js';
export { padGeometry2d, padIndexMap, identityMap, rangeMap, PAD_MODES } from './gather.js';
export type { GatherGeometry, PadMode } from './gather.js';
export { resolveUnfold, resolveFold } from './unfold.js';
export type { UnfoldGeometry, UnfoldOptions, FoldOptions } from './unfold.js';
export { transposeGeometry } from './transpose.js';
export type { TransposeGeometry } from './transpose.js';
export { kernelOutput } from './kernel-output.js';
export type { KernelOutput } from './kernel-output.js';
export * from './inverse.js';
export type { Pair } from './args.js';
/** erf, which the elementwise table's expressions call: a worker compiling an op's `expr` needs it. */
export { erf } from '../math.js';
