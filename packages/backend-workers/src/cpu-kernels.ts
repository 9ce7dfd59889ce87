/**
 * The plain-JavaScript compute kernels this backend reuses from @cnn/backend-cpu: the no-SIMD path of the parallel
 * kernels, and backend-cpu's conv eligibility rules. @cnn/backend-cpu's package entry exports only its backend class,
 * so these are imported by relative source path (the build and the worker bundle inline them). This file and
 * cpu-light-kernels.ts are the only ones that reach into backend-cpu's sources: once backend-cpu exports its kernels,
 * they become `from '@cnn/backend-cpu'` imports.
 */
export { matmul } from '../../backend-cpu/src/kernels/MatMul.js';
export { conv2d } from '../../backend-cpu/src/kernels/Conv2D.js';
export { conv2dBackwardInput } from '../../backend-cpu/src/kernels/Conv2DBackpropInput.js';
export { conv2dBackwardFilter } from '../../backend-cpu/src/kernels/Conv2DBackpropFilter.js';
export { pool2d } from '../../backend-cpu/src/kernels/Pool2D.js';
export { pool2dBackward } from '../../backend-cpu/src/kernels/Pool2DBackward.js';
export { gemm, view } from '../../backend-cpu/src/gemm.js';
export { isWinograd3x3, isPointwise, isDepthwise } from '../../backend-cpu/src/conv-util.js';
