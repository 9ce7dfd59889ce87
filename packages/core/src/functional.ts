/** `F`: the functional API, named after torch.nn.functional in camelCase. */
export { conv1d, conv2d } from './ops/conv.js';
export { fusedConv2d, FUSABLE_ACTIVATIONS } from './ops/fused-conv.js';
export type { FusedConv2dOptions, FusedActivation, FusableActivationName } from './ops/fused-conv.js';
export type { Conv1dOptions, Conv2dOptions } from './ops/conv.js';
export { convTranspose1d, convTranspose2d } from './ops/conv-transpose.js';
export type { ConvTranspose1dOptions, ConvTranspose2dOptions } from './ops/conv-transpose.js';
export { interpolate } from './ops/interpolate.js';
export type { InterpolateOptions } from './ops/interpolate.js';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d } from './ops/pool.js';
export type { Pool1dOptions, Pool2dOptions } from './ops/pool.js';
export { batchNorm } from './ops/norm.js';
export type { BatchNormOptions } from './ops/norm.js';
export { dropout } from './ops/dropout.js';
export { groupNorm } from './ops/group-norm.js';
export type { GroupNormOptions } from './ops/group-norm.js';
export { layerNorm } from './ops/layer-norm.js';
export type { LayerNormOptions } from './ops/layer-norm.js';
export { instanceNorm } from './ops/instance-norm.js';
export type { InstanceNormOptions } from './ops/instance-norm.js';
export { dropout2d } from './ops/dropout2d.js';
export { pixelShuffle, pixelUnshuffle, channelShuffle } from './ops/pixel-shuffle.js';
export { linear, matmul } from './ops/linalg.js';
export { relu, leakyRelu, elu, gelu, sigmoid, tanh, softmax, logSoftmax } from './ops/activation.js';
export { relu6, hardtanh, hardswish, hardsigmoid, silu, mish, softplus, prelu } from './ops/activation.js';
export { unfold, fold } from './ops/unfold.js';
export type { UnfoldOptions, FoldOptions } from './ops/unfold.js';
export { crossEntropy, nllLoss, mseLoss, oneHot } from './ops/loss.js';
export type { CrossEntropyOptions, LossOptions, Reduction } from './ops/loss.js';
export {
  add, sub, mul, div, pow, neg, exp, log, sqrt, rsqrt, abs, square, reciprocal, affine, clamp, maximum, minimum,
  gt, ge, lt, le, eq, erfOp as erf,
} from './ops/elementwise.js';
export { sum, mean, max, min, argmax, argmin, variance } from './ops/reduce.js';
export { where } from './ops/where.js';
export {
  reshape, flatten, squeeze, unsqueeze, permute, transpose, slice, concat, pad, broadcastTo, detach, clone, cast,
} from './ops/shape.js';
export type { PadOptions } from './ops/shape.js';
