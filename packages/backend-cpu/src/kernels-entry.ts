/**
 * '@cnn/backend-cpu/kernels': the compute-heavy kernels, their GEMM and the Winograd filter transform, as plain
 * functions with no registration side effect, so other backends (the worker pool) can run them. At run time they
 * depend only on '@cnn/core/geometry' (core's resolvers, no tensors or op tables), so a worker bundle stays small.
 */
export { matmul } from './kernels/MatMul.js';
export { conv2d } from './kernels/Conv2D.js';
export { conv2dBackwardInput } from './kernels/Conv2DBackpropInput.js';
export { conv2dBackwardFilter } from './kernels/Conv2DBackpropFilter.js';
export { pool2d } from './kernels/Pool2D.js';
export { pool2dBackward } from './kernels/Pool2DBackward.js';
export { gemm, view } from './gemm.js';
export { isWinograd3x3, useWinograd, isPointwise, isDepthwise } from './conv-util.js';
export { winogradFilterTile } from './winograd-filter.js';
