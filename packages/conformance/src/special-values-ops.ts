/**
 * How each op of the special-value cases is called through the public API (tools/golden/special_values.py calls the
 * torch function of the same name). `max`/`min` are torch.amax/amin, as core documents them.
 */
import { F, type Tensor } from '@cnn/core';
import { boolAttr, intAttr, intOrPairAttr, numberAttr, oneOfAttr, optionalIntAttr, optionalNumberAttr, optionsOf, type Attrs } from './op-spec.js';

type SpecialOp = (inputs: Record<string, Tensor>, attrs: Attrs) => Tensor;
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

const unary = (fn: (x: Tensor) => Tensor): SpecialOp => (i) => fn(i.input);
const binary = (fn: (a: Tensor, b: Tensor) => Tensor): SpecialOp => (i) => fn(i.a, i.b);

export const SPECIAL_VALUE_OPS: Record<string, SpecialOp> = {
  relu: unary(F.relu),
  leakyRelu: (i, a) => F.leakyRelu(i.input, numberAttr('leakyRelu', a, 'negativeSlope')),
  elu: (i, a) => F.elu(i.input, numberAttr('elu', a, 'alpha')),
  gelu: unary(F.gelu),
  sigmoid: unary(F.sigmoid),
  tanh: unary(F.tanh),
  exp: unary(F.exp),
  log: unary(F.log),
  sqrt: unary(F.sqrt),
  rsqrt: unary(F.rsqrt),
  abs: unary(F.abs),
  neg: unary(F.neg),
  reciprocal: unary(F.reciprocal),
  square: unary(F.square),
  erf: unary(F.erf),
  pow: (i, a) => F.pow(i.input, numberAttr('pow', a, 'exponent')),
  clamp: (i, a) => F.clamp(i.input, optionalNumberAttr('clamp', a, 'min'), optionalNumberAttr('clamp', a, 'max')),
  powTensor: binary(F.pow),
  add: binary(F.add),
  div: binary(F.div),
  maximum: binary(F.maximum),
  minimum: binary(F.minimum),
  eq: binary(F.eq),
  ge: binary(F.ge),
  lt: binary(F.lt),
  sum: (i, a) => F.sum(i.input, optionalIntAttr('sum', a, 'dim'), boolAttr('sum', a, 'keepDim', false)),
  mean: (i, a) => F.mean(i.input, optionalIntAttr('mean', a, 'dim'), boolAttr('mean', a, 'keepDim', false)),
  variance: (i, a) =>
    F.variance(i.input, optionalIntAttr('variance', a, 'dim'), { unbiased: boolAttr('variance', a, 'unbiased', true), keepDim: boolAttr('variance', a, 'keepDim', false) }),
  max: (i, a) => F.max(i.input, optionalIntAttr('max', a, 'dim'), boolAttr('max', a, 'keepDim', false)),
  min: (i, a) => F.min(i.input, optionalIntAttr('min', a, 'dim'), boolAttr('min', a, 'keepDim', false)),
  argmax: (i, a) => F.argmax(i.input, optionalIntAttr('argmax', a, 'dim'), boolAttr('argmax', a, 'keepDim', false)),
  argmin: (i, a) => F.argmin(i.input, optionalIntAttr('argmin', a, 'dim'), boolAttr('argmin', a, 'keepDim', false)),
  maxPool2d: (i, a) => F.maxPool2d(i.input, optionsOf<F.Pool2dOptions>(a)),
  maxPool1d: (i, a) => F.maxPool1d(i.input, optionsOf<F.Pool1dOptions>(a)),
  adaptiveMaxPool2d: (i, a) => F.adaptiveMaxPool2d(i.input, intOrPairAttr('adaptiveMaxPool2d', a, 'outputSize')),
  softmax: (i, a) => F.softmax(i.input, intAttr('softmax', a, 'dim')),
  logSoftmax: (i, a) => F.logSoftmax(i.input, intAttr('logSoftmax', a, 'dim')),
  crossEntropy: (i, a) =>
    F.crossEntropy(i.input, i.target, { reduction: oneOfAttr('crossEntropy', a, 'reduction', REDUCTIONS), labelSmoothing: optionalNumberAttr('crossEntropy', a, 'labelSmoothing') }),
  nllLoss: (i, a) => F.nllLoss(i.input, i.target, { reduction: oneOfAttr('nllLoss', a, 'reduction', REDUCTIONS) }),
  matmul: binary(F.matmul),
  conv2d: (i, a) => F.conv2d(i.input, i.weight, null, optionsOf<F.Conv2dOptions>(a)),
  relu6: unary(F.relu6),
  hardtanh: (i, a) => F.hardtanh(i.input, optionalNumberAttr('hardtanh', a, 'minVal'), optionalNumberAttr('hardtanh', a, 'maxVal')),
  hardswish: unary(F.hardswish),
  hardsigmoid: unary(F.hardsigmoid),
  silu: unary(F.silu),
  mish: unary(F.mish),
  softplus: (i, a) => F.softplus(i.input, optionalNumberAttr('softplus', a, 'beta'), optionalNumberAttr('softplus', a, 'threshold')),
  prelu: (i) => F.prelu(i.input, i.weight),
};
