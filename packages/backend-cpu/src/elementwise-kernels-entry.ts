/**
 * '@cnn/backend-cpu/elementwise-kernels': the memory-bound kernels (elementwise ops compiled from core's op table,
 * reductions, layout), as plain functions without the registration side effect of the main entry.
 */
export { unary } from './kernels/Unary.js';
export { binary } from './kernels/Binary.js';
export { cast } from './kernels/Cast.js';
export { reduce } from './kernels/Reduce.js';
export { transpose } from './kernels/Transpose.js';
export { gather } from './kernels/Gather.js';
export { gatherBackward } from './kernels/GatherBackward.js';
export { oneHot } from './kernels/OneHot.js';
export { fusedConv2d, convEpilogue } from './kernels/FusedConv2D.js';
export type { EpilogueValues } from './kernels/FusedConv2D.js';
