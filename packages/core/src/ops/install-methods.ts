/**
 * Installs Tensor's operation methods (declared in tensor.ts as `TensorMethods`) on Tensor.prototype, once, from the
 * ops side — as TensorFlow.js's chained ops do — so that tensor.ts stays a leaf and no import cycle runs through it.
 * The package entry (index.ts) imports this module before anything else; package.json lists both under `sideEffects`
 * so that bundlers (esbuild in tsup, Rollup in vite) keep the import.
 */
import { backward, backwardArgs, type GradientOps } from '../autograd.js';
import { Tensor, type ShapeArgs, type TensorMethods } from '../tensor.js';
import { argmax, argmin, max, mean, min, sum } from './reduce.js';
import { cast, clone, detach, flatten, permute, reshape, squeeze, transpose, unsqueeze } from './shape.js';
import { relu, sigmoid, tanh } from './activation.js';
import { abs, add, div, exp, log, mul, neg, pow, sqrt, square, sub } from './elementwise.js';
import { onesLike } from './create.js';
import { matmul } from './linalg.js';

const gradientOps: GradientOps = { add, onesLike, clone };

function flatArgs(args: ShapeArgs): number[] {
  return Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

type MethodTable = { [K in keyof TensorMethods]: (this: Tensor, ...args: Parameters<TensorMethods[K]>) => ReturnType<TensorMethods[K]> };

const methods: MethodTable = {
  add(b) { return add(this, b); },
  sub(b) { return sub(this, b); },
  mul(b) { return mul(this, b); },
  div(b) { return div(this, b); },
  pow(exponent) { return pow(this, exponent); },
  neg() { return neg(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  abs() { return abs(this); },
  square() { return square(this); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  sum(dim, keepDim = false) { return sum(this, dim, keepDim); },
  mean(dim, keepDim = false) { return mean(this, dim, keepDim); },
  max(dim, keepDim = false) { return max(this, dim, keepDim); },
  min(dim, keepDim = false) { return min(this, dim, keepDim); },
  argmax(dim, keepDim = false) { return argmax(this, dim, keepDim); },
  argmin(dim, keepDim = false) { return argmin(this, dim, keepDim); },
  reshape(...shape) { return reshape(this, flatArgs(shape)); },
  view(...shape) { return reshape(this, flatArgs(shape)); },
  flatten(startDim = 0, endDim = -1) { return flatten(this, startDim, endDim); },
  transpose(dim0, dim1) { return transpose(this, dim0, dim1); },
  permute(...dims) { return permute(this, flatArgs(dims)); },
  squeeze(dim) { return squeeze(this, dim); },
  unsqueeze(dim) { return unsqueeze(this, dim); },
  matmul(b) { return matmul(this, b); },
  detach() { return detach(this); },
  clone() { return clone(this); },
  toFloat() { return cast(this, 'float32'); },
  toInt() { return cast(this, 'int32'); },
  backward(grad, options) { const [g, o] = backwardArgs(grad, options); backward(this, g, gradientOps, o); },
};

// Non-enumerable, like methods written in the class body.
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
