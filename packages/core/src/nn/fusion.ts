/**
 * Eval-mode fusion of conv → batch-norm → (+ residual) → activation into one fused conv: the batch norm's running
 * statistics and affine parameters are folded into the conv's weight and bias (cached until any of them changes),
 * and the residual add and the activation run in the conv's epilogue. PyTorch and ONNX Runtime do the same for
 * inference; it removes three or four full passes over every activation.
 *
 * Fusion happens only when it cannot change what the user observes: no gradient is recorded, the batch norm uses
 * running statistics (eval mode), and every layer is the library's own class running its own `forward` (a
 * subclass, or an instance whose forward was replaced — a tracer collecting feature maps — runs layer by layer;
 * a wrapper that only observes can say so with OBSERVING_FORWARD). Otherwise the layers run one by one, so training
 * and autograd are unchanged. The folded result agrees with the layer-by-layer one to float32 rounding (~1e-6).
 */
import type { DataId } from '../backend/contract.js';
import { isGradEnabled, noGrad, tidy } from '../engine.js';
import { add, affine, mul, rsqrt, sub } from '../ops/elementwise.js';
import { fusedConv2d, type FusedActivation } from '../ops/fused-conv.js';
import { reshape } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Conv2d } from './conv.js';
import { BatchNorm2d, ELU, GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from './layers.js';
import { Hardsigmoid, Hardswish, Hardtanh, Mish, ReLU6, SiLU, Softplus } from './activations.js';
import { Module, setDerivedCache } from './module.js';

/** Mark a `forward` wrapper with this property (value true) when it only observes (a profiler): fusion may go on. */
export const OBSERVING_FORWARD: unique symbol = Symbol.for('@cnn/core/observingForward') as never;

/** True when `m` runs its class's own forward (or an observing wrapper of it). */
function runsOwnForward(m: Module): boolean {
  if (!Object.prototype.hasOwnProperty.call(m, 'forward')) return true;
  const f = (m as unknown as { forward: { [OBSERVING_FORWARD]?: boolean } }).forward;
  return f[OBSERVING_FORWARD] === true;
}

/** The epilogue an activation layer becomes, or undefined when it cannot be fused. */
function activationOf(m: Module): FusedActivation | undefined {
  if (!runsOwnForward(m)) return undefined;
  switch (m.constructor) {
    case ReLU:
      return { op: 'relu' };
    case LeakyReLU:
      return { op: 'leakyRelu', params: [(m as LeakyReLU).options.negativeSlope ?? 0.01] };
    case ELU:
      return { op: 'elu', params: [(m as ELU).options.alpha ?? 1] };
    case GELU:
      return { op: 'gelu' };
    case Sigmoid:
      return { op: 'sigmoid' };
    case Tanh:
      return { op: 'tanh' };
    case ReLU6:
      return { op: 'clamp', params: [0, 6] };
    case Hardtanh:
      return { op: 'clamp', params: [(m as Hardtanh).options.minVal, (m as Hardtanh).options.maxVal] };
    case Hardswish:
      return { op: 'hardswish' };
    case Hardsigmoid:
      return { op: 'hardsigmoid' };
    case SiLU:
      return { op: 'silu' };
    case Mish:
      return { op: 'mish' };
    case Softplus:
      return { op: 'softplus', params: [(m as Softplus).options.beta, (m as Softplus).options.threshold] };
    default:
      return undefined;
  }
}

/** True when `m` is an activation layer a fused conv can apply. */
export function isFusableActivation(m: Module): boolean {
  return activationOf(m) !== undefined;
}

function fusable(x: Tensor, conv: Conv2d, bn: BatchNorm2d | null, act: Module | null, residual: Tensor | null): FusedActivation | null | undefined {
  if (!bn && !act && !residual) return undefined; // nothing to fuse: the conv's own forward
  if (conv.constructor !== Conv2d || !runsOwnForward(conv)) return undefined;
  if (bn) {
    if (bn.constructor !== BatchNorm2d || !runsOwnForward(bn) || bn.training || !bn.runningMean || !bn.runningVar) return undefined;
    if (bn.numFeatures !== conv.config.outChannels) return undefined; // the layer-by-layer path reports it
  }
  const activation = act ? activationOf(act) : null;
  if (activation === undefined) return undefined;
  if (isGradEnabled() && [x, conv.weight, conv.bias, bn?.weight, bn?.bias, residual].some((t) => t?.requiresGrad)) return undefined;
  return activation;
}

interface Folded {
  key: (DataId | null)[];
  weight: Tensor;
  bias: Tensor | null;
}
const folds = new WeakMap<Conv2d, Folded>();

/** The conv's weight and bias with `bn` folded in (the conv's own when bn is null), cached by operand identity:
 * backends never write a tensor in place (assign swaps its data), so the same DataIds mean the same values. */
function folded(conv: Conv2d, bn: BatchNorm2d | null): { weight: Tensor; bias: Tensor | null } {
  if (!bn) return { weight: conv.weight, bias: conv.bias };
  const key = [conv.weight, conv.bias, bn.weight, bn.bias, bn.runningMean, bn.runningVar].map((t) => t?.dataId ?? null);
  key.push(bn as unknown as DataId); // a conv followed by another BN instance folds again
  const hit = folds.get(conv);
  if (hit && hit.key.length === key.length && hit.key.every((k, i) => k === key[i])) return hit;
  const [weight, bias] = noGrad(() =>
    tidy(() => {
      // As F.batchNorm in eval: (y − mean) · rsqrt(var + eps) · γ + β, with y = conv + b.
      let scale = rsqrt(affine(bn.runningVar!, 1, bn.eps));
      if (bn.weight) scale = mul(scale, bn.weight);
      const o = conv.config.outChannels;
      const w = mul(conv.weight, reshape(scale, [o, 1, 1, 1]));
      let b = mul(conv.bias ? sub(conv.bias, bn.runningMean!) : affine(bn.runningMean!, -1, 0), scale);
      if (bn.bias) b = add(b, bn.bias);
      return [w.keep(), b.keep()];
    }),
  );
  const entry: Folded = { key, weight, bias };
  folds.set(conv, entry);
  setDerivedCache(conv, () => {
    weight.dispose();
    bias.dispose();
    if (folds.get(conv) === entry) folds.delete(conv);
  });
  return entry;
}

/**
 * `act(bn(conv(x)) + residual)` — each part optional but the conv — as one fused conv when nothing is recorded for
 * autograd and `bn` is in eval mode (see the file comment), else layer by layer with exactly the layers' own
 * forwards. The result owns what its autograd graph needs; intermediates nobody needs are freed at once.
 */
export function convBnActivation(x: Tensor, conv: Conv2d, bn: BatchNorm2d | null, act: Module | null, residual: Tensor | null = null): Tensor {
  const activation = fusable(x, conv, bn, act, residual);
  if (activation !== undefined) {
    const { weight, bias } = folded(conv, bn);
    const { stride, padding, dilation, groups, paddingMode } = conv.config;
    return fusedConv2d(x, weight, bias, { stride, padding, dilation, groups, paddingMode, residual, activation });
  }
  const steps: ((t: Tensor) => Tensor)[] = [(t) => conv.forward(t)];
  if (bn) steps.push((t) => bn.forward(t));
  if (residual) steps.push((t) => add(t, residual));
  if (act) steps.push((t) => act.forward(t));
  return runChain(x, steps);
}

/**
 * Runs `steps` in order like nn.Sequential: if a step throws, what was made so far is freed; the output owns the
 * intermediates its autograd graph needs, and an intermediate that no graph needs (its successor records nothing)
 * is freed as soon as the next step has run — so inference holds a few activations, not all of them.
 */
export function runChain(x: Tensor, steps: readonly ((t: Tensor) => Tensor)[]): Tensor {
  let cur = x;
  const kept: Tensor[] = [];
  for (const step of steps) {
    let next: Tensor;
    try {
      next = step(cur);
    } catch (err) {
      for (const t of kept) t.dispose();
      if (cur !== x) cur.dispose();
      throw err;
    }
    if (cur !== x && next !== cur) {
      if (next.requiresGrad) kept.push(cur);
      else cur.dispose();
    }
    cur = next;
  }
  return cur === x ? cur : cur.own(...kept);
}
