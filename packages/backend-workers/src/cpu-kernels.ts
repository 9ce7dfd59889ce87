/**
 * The plain-JavaScript compute kernels this backend reuses from @cnn/backend-cpu: the no-SIMD path of the parallel
 * kernels, backend-cpu's conv eligibility rules and its Winograd filter transform. At run time the subpath needs only
 * '@cnn/core/geometry' (a leaf of pure resolvers), so the worker bundle can inline it.
 */
export {
  matmul, conv2d, conv2dBackwardInput, conv2dBackwardFilter, pool2d, pool2dBackward, gemm, view, isWinograd3x3, useWinograd, isPointwise, isDepthwise,
  winogradFilterTile,
} from '@cnn/backend-cpu/kernels';
