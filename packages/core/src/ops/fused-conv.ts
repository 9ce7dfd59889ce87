/**
 * conv2d with its epilogue — `act(conv2d(x, w, bias) + residual)` — as one kernel for inference.
 *
 * Backends may implement the optional `fusedConv2d` kernel; the answer is defined by the composition below, which
 * is what runs when a gradient is recorded, when the backend lacks the kernel, or when the conv needs an explicit
 * pad first. Both evaluate the same float32 operations in the same order (conv with bias, + residual, activation),
 * so they agree to the conv's own rounding.
 */
import type { ConvEpilogue } from '../backend/contract.js';
import { isGradEnabled } from '../engine.js';
import { fail, fmt, shapeStr } from '../errors.js';
import { resolveConv2d, type Conv2dOptions } from '../geometry/conv.js';
import type { Tensor } from '../tensor.js';
import { elu, gelu, hardsigmoid, hardswish, leakyRelu, mish, relu, sigmoid, silu, softplus, tanh } from './activation.js';
import { conv2dNamed } from './conv.js';
import { add, clamp } from './elementwise.js';
import { assertFloat, assertTensor, backendOf, makeTensor } from './util.js';

/** The activations a fused conv can end with, each with its differentiable op (used by the composition). */
const FUSABLE = {
  relu: { params: 0, apply: (x: Tensor) => relu(x) },
  leakyRelu: { params: 1, apply: (x: Tensor, p: readonly number[]) => leakyRelu(x, p[0]) },
  elu: { params: 1, apply: (x: Tensor, p: readonly number[]) => elu(x, p[0]) },
  gelu: { params: 0, apply: (x: Tensor) => gelu(x) },
  sigmoid: { params: 0, apply: (x: Tensor) => sigmoid(x) },
  tanh: { params: 0, apply: (x: Tensor) => tanh(x) },
  /** ReLU6 is clamp with [0, 6]. */
  clamp: { params: 2, apply: (x: Tensor, p: readonly number[]) => clamp(x, p[0], p[1]) },
  hardswish: { params: 0, apply: (x: Tensor) => hardswish(x) },
  hardsigmoid: { params: 0, apply: (x: Tensor) => hardsigmoid(x) },
  silu: { params: 0, apply: (x: Tensor) => silu(x) },
  mish: { params: 0, apply: (x: Tensor) => mish(x) },
  softplus: { params: 2, apply: (x: Tensor, p: readonly number[]) => softplus(x, p[0], p[1]) },
} as const;

export type FusableActivationName = keyof typeof FUSABLE;
export const FUSABLE_ACTIVATIONS = Object.keys(FUSABLE) as readonly FusableActivationName[];

export interface FusedActivation {
  op: FusableActivationName;
  /** leakyRelu: [negativeSlope]; elu: [alpha]; clamp: [min, max]; softplus: [beta, threshold]; others: none. */
  params?: readonly number[];
}

export interface FusedConv2dOptions extends Conv2dOptions {
  /** Added after the bias, before the activation: a tensor of the output's shape (ResNet's identity branch). */
  residual?: Tensor | null;
  /** Applied last; 'relu' is short for `{ op: 'relu' }`. */
  activation?: FusedActivation | FusableActivationName | null;
}

function resolveActivation(op: string, a: FusedConv2dOptions['activation']): { op: FusableActivationName; params: number[] } | null {
  if (a === undefined || a === null) return null;
  const spec = typeof a === 'string' ? { op: a } : a;
  if (typeof spec !== 'object' || !Object.prototype.hasOwnProperty.call(FUSABLE, spec.op)) {
    fail(op, `activation must be one of ${FUSABLE_ACTIVATIONS.map((n) => `'${n}'`).join(', ')} (or { op, params }), got ${fmt(typeof a === 'string' ? a : spec.op)}`);
  }
  const params = [...(spec.params ?? [])];
  const want = FUSABLE[spec.op].params;
  if (params.length !== want || params.some((p) => typeof p !== 'number' || Number.isNaN(p))) {
    fail(op, `activation '${spec.op}' takes ${want} numeric parameter(s), got ${fmt(spec.params ?? [])}`);
  }
  return { op: spec.op, params };
}

/**
 * `activation(conv2d(input, weight, bias) + residual)` in one pass where the backend can (no gradient recorded),
 * else as separate differentiable ops. Options are conv2d's plus `residual` and `activation`.
 */
export function fusedConv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: FusedConv2dOptions = {}): Tensor {
  const op = 'fusedConv2d';
  assertTensor(op, 'input', input);
  assertFloat(op, 'input', input);
  assertFloat(op, 'weight', weight);
  if (bias) assertFloat(op, 'bias', bias);
  const { residual = null, activation, ...convOpts } = opts;
  const act = resolveActivation(op, activation);
  const { geo, prePad } = resolveConv2d(op, input.shape, weight.shape, bias?.shape ?? null, convOpts);
  const outShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
  if (residual) {
    assertFloat(op, 'residual', residual);
    if (residual.shape.join() !== outShape.join()) fail(op, `residual must have the output's shape ${shapeStr(outShape)}, got ${shapeStr(residual.shape)}`);
  }
  const b = backendOf(op, input, weight, bias, residual);
  const recording = isGradEnabled() && [input, weight, bias, residual].some((t) => t?.requiresGrad);
  if (!recording && !prePad && b.fusedConv2d) {
    const epilogue: ConvEpilogue = { residual, activation: act };
    return makeTensor(b, b.fusedConv2d(input, weight, bias ?? null, epilogue, geo), outShape);
  }
  return composeFusedConv2d(input, weight, bias ?? null, residual, act, convOpts);
}

/** The definition: conv2d, then + residual, then the activation, each a differentiable op. */
function composeFusedConv2d(
  input: Tensor, weight: Tensor, bias: Tensor | null, residual: Tensor | null, act: { op: FusableActivationName; params: number[] } | null,
  convOpts: Conv2dOptions,
): Tensor {
  const y = conv2dNamed('fusedConv2d', input, weight, bias, convOpts);
  const made: Tensor[] = [y];
  let cur = y;
  if (residual) made.push((cur = add(cur, residual)));
  if (act) made.push((cur = FUSABLE[act.op].apply(cur, act.params)));
  return cur.own(...made);
}
