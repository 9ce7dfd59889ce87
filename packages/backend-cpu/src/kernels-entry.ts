/**
 * '@cnn/backend-cpu/kernels': the compute-heavy kernels and their GEMM, as plain functions with no dependency on
 * @cnn/core at run time and no registration side effect, so other backends (the worker pool) can run them.
 */
export { matmul } from './kernels/MatMul.js';
export { conv2d } from './kernels/Conv2D.js';
export { conv2dBackwardInput } from './kernels/Conv2DBackpropInput.js';
export { conv2dBackwardFilter } from './kernels/Conv2DBackpropFilter.js';
export { pool2d } from './kernels/Pool2D.js';
export { pool2dBackward } from './kernels/Pool2DBackward.js';
export { gemm, view } from './gemm.js';
export { isWinograd3x3, isPointwise, isDepthwise } from './conv-util.js';
