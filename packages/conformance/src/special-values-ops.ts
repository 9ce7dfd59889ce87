/**
 * How each op of the special-value cases is called through the public API (tools/golden/special_values.py calls the
 * torch function of the same name). `max`/`min` are torch.amax/amin, as core documents them.
 */
import { F, type Pool2dOptions, type Tensor } from '@cnn/core';

export type Attrs = Record<string, unknown>;
type SpecialOp = (inputs: Record<string, Tensor>, attrs: Attrs) => Tensor;

function attrError(op: string, key: string, value: unknown, allowed: string): Error {
  return new Error(`special-value case for ${op}: attribute '${key}' is ${JSON.stringify(value)}, expected ${allowed}`);
}

function num(op: string, a: Attrs, key: string): number {
  const v = a[key];
  if (typeof v !== 'number') throw attrError(op, key, v, 'a number');
  return v;
}

function optNum(op: string, a: Attrs, key: string): number | undefined {
  return a[key] === undefined ? undefined : num(op, a, key);
}

function optBool(op: string, a: Attrs, key: string): boolean | undefined {
  const v = a[key];
  if (v !== undefined && typeof v !== 'boolean') throw attrError(op, key, v, 'true or false');
  return v as boolean | undefined;
}

function pair(op: string, a: Attrs, key: string): number | [number, number] {
  const v = a[key];
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  throw attrError(op, key, v, 'a number or a pair of numbers');
}

function optPair(op: string, a: Attrs, key: string): number | [number, number] | undefined {
  return a[key] === undefined ? undefined : pair(op, a, key);
}

function reduction(op: string, a: Attrs): 'mean' | 'sum' | 'none' | undefined {
  const v = a.reduction;
  if (v === undefined || v === 'mean' || v === 'sum' || v === 'none') return v;
  throw attrError(op, 'reduction', v, "'mean', 'sum' or 'none'");
}

function poolOptions(op: string, a: Attrs): Pool2dOptions {
  return {
    kernelSize: pair(op, a, 'kernelSize'),
    stride: optPair(op, a, 'stride'),
    padding: optPair(op, a, 'padding'),
    dilation: optPair(op, a, 'dilation'),
    ceilMode: optBool(op, a, 'ceilMode'),
  };
}

const unary = (fn: (x: Tensor) => Tensor): SpecialOp => (i) => fn(i.input);
const binary = (fn: (a: Tensor, b: Tensor) => Tensor): SpecialOp => (i) => fn(i.a, i.b);

export const SPECIAL_VALUE_OPS: Record<string, SpecialOp> = {
  relu: unary(F.relu),
  leakyRelu: (i, a) => F.leakyRelu(i.input, num('leakyRelu', a, 'negativeSlope')),
  elu: (i, a) => F.elu(i.input, num('elu', a, 'alpha')),
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
  pow: (i, a) => F.pow(i.input, num('pow', a, 'exponent')),
  clamp: (i, a) => F.clamp(i.input, optNum('clamp', a, 'min'), optNum('clamp', a, 'max')),
  powTensor: binary(F.pow),
  add: binary(F.add),
  div: binary(F.div),
  maximum: binary(F.maximum),
  minimum: binary(F.minimum),
  eq: binary(F.eq),
  ge: binary(F.ge),
  lt: binary(F.lt),
  sum: (i, a) => F.sum(i.input, optNum('sum', a, 'dim'), optBool('sum', a, 'keepDim')),
  mean: (i, a) => F.mean(i.input, optNum('mean', a, 'dim'), optBool('mean', a, 'keepDim')),
  variance: (i, a) =>
    F.variance(i.input, optNum('variance', a, 'dim'), { unbiased: optBool('variance', a, 'unbiased'), keepDim: optBool('variance', a, 'keepDim') }),
  max: (i, a) => F.max(i.input, optNum('max', a, 'dim'), optBool('max', a, 'keepDim')),
  min: (i, a) => F.min(i.input, optNum('min', a, 'dim'), optBool('min', a, 'keepDim')),
  argmax: (i, a) => F.argmax(i.input, optNum('argmax', a, 'dim'), optBool('argmax', a, 'keepDim')),
  argmin: (i, a) => F.argmin(i.input, optNum('argmin', a, 'dim'), optBool('argmin', a, 'keepDim')),
  maxPool2d: (i, a) => F.maxPool2d(i.input, poolOptions('maxPool2d', a)),
  maxPool1d: (i, a) =>
    F.maxPool1d(i.input, {
      kernelSize: num('maxPool1d', a, 'kernelSize'),
      stride: optNum('maxPool1d', a, 'stride'),
      padding: optNum('maxPool1d', a, 'padding'),
      dilation: optNum('maxPool1d', a, 'dilation'),
      ceilMode: optBool('maxPool1d', a, 'ceilMode'),
    }),
  adaptiveMaxPool2d: (i, a) => F.adaptiveMaxPool2d(i.input, pair('adaptiveMaxPool2d', a, 'outputSize')),
  softmax: (i, a) => F.softmax(i.input, num('softmax', a, 'dim')),
  logSoftmax: (i, a) => F.logSoftmax(i.input, num('logSoftmax', a, 'dim')),
  crossEntropy: (i, a) =>
    F.crossEntropy(i.input, i.target, { reduction: reduction('crossEntropy', a), labelSmoothing: optNum('crossEntropy', a, 'labelSmoothing') }),
  nllLoss: (i, a) => F.nllLoss(i.input, i.target, { reduction: reduction('nllLoss', a) }),
  matmul: binary(F.matmul),
  conv2d: (i, a) => F.conv2d(i.input, i.weight, null, { stride: optPair('conv2d', a, 'stride'), padding: optPair('conv2d', a, 'padding') }),
};
