/**
 * The plain-JavaScript compute kernels this backend reuses from @cnn/backend-cpu: the no-SIMD path of the parallel
 * kernels, and backend-cpu's conv eligibility rules. The subpath is free of @cnn/core at run time, so the worker
 * bundle can inline it.
 */
export {
  matmul, conv2d, conv2dBackwardInput, conv2dBackwardFilter, pool2d, pool2dBackward, gemm, view, isWinograd3x3, isPointwise, isDepthwise,
} from '@cnn/backend-cpu/kernels';
