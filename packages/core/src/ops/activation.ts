/** Activations: each is one elementwise kernel forward and one fused kernel backward. */
import { fail, shapeStr } from '../errors.js';
import { finiteNumber } from '../geometry/args.js';
import type { Tensor } from '../tensor.js';
import { binaryRaw, unaryRaw } from './elementwise.js';
import { max, sum } from './reduce.js';
import { assertFloat, backendOf, makeTensor, normDim, record } from './util.js';

export function relu(x: Tensor): Tensor {
  assertFloat('relu', 'input', x);
  return record(unaryRaw('relu', x), 'relu', [x], (dy) => [binaryRaw('reluBackward', dy, x)]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  assertFloat('leakyRelu', 'input', x);
  const s = finiteNumber('leakyRelu', 'negativeSlope', negativeSlope, 0.01);
  return record(unaryRaw('leakyRelu', x, [s]), 'leakyRelu', [x], (dy) => [binaryRaw('leakyReluBackward', dy, x, [s])]);
}

export function elu(x: Tensor, alpha = 1): Tensor {
  assertFloat('elu', 'input', x);
  const a = finiteNumber('elu', 'alpha', alpha, 1);
  return record(unaryRaw('elu', x, [a]), 'elu', [x], (dy) => [binaryRaw('eluBackward', dy, x, [a])]);
}

/** Exact GELU (erf form), as torch's default. */
export function gelu(x: Tensor): Tensor {
  assertFloat('gelu', 'input', x);
  return record(unaryRaw('gelu', x), 'gelu', [x], (dy) => [binaryRaw('geluBackward', dy, x)]);
}

export function sigmoid(x: Tensor): Tensor {
  assertFloat('sigmoid', 'input', x);
  const y = unaryRaw('sigmoid', x);
  return record(y, 'sigmoid', [x], (dy) => [binaryRaw('sigmoidBackward', dy, y)]);
}

export function tanh(x: Tensor): Tensor {
  assertFloat('tanh', 'input', x);
  const y = unaryRaw('tanh', x);
  return record(y, 'tanh', [x], (dy) => [binaryRaw('tanhBackward', dy, y)]);
}

/** min(max(x, 0), 6), as torch's relu6 (= hardtanh(x, 0, 6)): the gradient passes only strictly inside (0, 6). */
export function relu6(x: Tensor): Tensor {
  return hardtanhNamed('relu6', x, 0, 6);
}

/** clamp(x, minVal, maxVal), as torch.nn.functional.hardtanh; the gradient passes only strictly inside (minVal, maxVal). */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  return hardtanhNamed('hardtanh', x, minVal, maxVal);
}

function hardtanhNamed(op: string, x: Tensor, minVal: number, maxVal: number): Tensor {
  assertFloat(op, 'input', x);
  const lo = finiteNumber(op, 'minVal', minVal, -1);
  const hi = finiteNumber(op, 'maxVal', maxVal, 1);
  if (lo > hi) fail(op, `minVal must be ≤ maxVal, got minVal ${lo} and maxVal ${hi}`);
  return record(unaryRaw('clamp', x, [lo, hi]), op, [x], (dy) => [binaryRaw('hardtanhBackward', dy, x, [lo, hi])]);
}

/** x · relu6(x + 3) / 6 (MobileNet v3). */
export function hardswish(x: Tensor): Tensor {
  assertFloat('hardswish', 'input', x);
  return record(unaryRaw('hardswish', x), 'hardswish', [x], (dy) => [binaryRaw('hardswishBackward', dy, x)]);
}

/** relu6(x + 3) / 6 (MobileNet v3's squeeze-excite gate). */
export function hardsigmoid(x: Tensor): Tensor {
  assertFloat('hardsigmoid', 'input', x);
  return record(unaryRaw('hardsigmoid', x), 'hardsigmoid', [x], (dy) => [binaryRaw('hardsigmoidBackward', dy, x)]);
}

/** x · sigmoid(x), also called Swish (EfficientNet). */
export function silu(x: Tensor): Tensor {
  assertFloat('silu', 'input', x);
  return record(unaryRaw('silu', x), 'silu', [x], (dy) => [binaryRaw('siluBackward', dy, x)]);
}

/** x · tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  assertFloat('mish', 'input', x);
  return record(unaryRaw('mish', x), 'mish', [x], (dy) => [binaryRaw('mishBackward', dy, x)]);
}

/** log(1 + e^(βx)) / β, linear (x) where βx > threshold, as torch.nn.functional.softplus. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  assertFloat('softplus', 'input', x);
  const b = finiteNumber('softplus', 'beta', beta, 1);
  if (b === 0) fail('softplus', 'beta must be non-zero, got 0');
  const t = finiteNumber('softplus', 'threshold', threshold, 20);
  return record(unaryRaw('softplus', x, [b, t]), 'softplus', [x], (dy) => [binaryRaw('softplusBackward', dy, x, [b, t])]);
}

/**
 * max(0, x) + weight · min(0, x), weight per channel (dim 1; inputs of rank < 2 have one) or one shared value, as
 * torch.nn.functional.prelu. Gradients for both: the weight's is Σ over every other dim of dy · x where x ≤ 0.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  const op = 'prelu';
  assertFloat(op, 'input', x);
  assertFloat(op, 'weight', weight);
  // As PyTorch 1.13: the channel dim is dim 1; an input of rank < 2 has one channel.
  const channels = x.rank >= 2 ? x.shape[1] : 1;
  const n = weight.size;
  if (weight.rank > 1 || (n !== 1 && n !== channels)) {
    fail(op, `weight must be 1-D with 1 element or one per channel (${channels} for input shape ${shapeStr(x.shape)}), got shape ${shapeStr(weight.shape)}`);
  }
  const chanDim = 1;
  // The weight laid out to broadcast against x: [1, C, 1, …] (or [C] for 1-D input); one shared weight as is.
  const wShape = n === 1 ? [] : x.shape.map((d, i) => (i === chanDim ? d : 1));
  const w = reshapeRaw(weight, wShape);
  const y = record(binaryRaw('prelu', x, w), op, [x, weight], (dy) => {
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    if (x.requiresGrad) {
      const slope = binaryRaw('preluSlope', x, w);
      dx = binaryRaw('mul', dy, slope);
      slope.dispose();
    }
    if (weight.requiresGrad) {
      const g = binaryRaw('preluWeightGrad', dy, x);
      const axes = n === 1 ? [...Array(x.rank).keys()] : [...Array(x.rank).keys()].filter((d) => d !== chanDim);
      const s = axes.length ? sum(g, axes, false) : g;
      dw = reshapeRaw(s, weight.shape);
      s.dispose();
      if (s !== g) g.dispose();
    }
    return [dx, dw];
  });
  // The broadcast view of the weight lives as long as the gradient may need it.
  if (y.gradFn) y.own(w);
  else w.dispose();
  return y;
}

/** The same data with another shape, sharing memory; no autograd. */
function reshapeRaw(t: Tensor, shape: readonly number[]): Tensor {
  return makeTensor(backendOf('reshape', t), t.dataId, shape, t.dtype);
}

/** log Σ exp(x) along dim, kept, computed stably; no autograd. */
function logSumExpRaw(x: Tensor, d: number): { shifted: Tensor; lse: Tensor } {
  const m = max(x, d, true); // recording is off inside ops' own bookkeeping below
  const shifted = binaryRaw('sub', x, m);
  const e = unaryRaw('exp', shifted);
  const s = sum(e, d, true);
  const lse = unaryRaw('log', s);
  [m, e, s].forEach((t) => t.dispose());
  return { shifted, lse };
}

export function softmax(x: Tensor, dim = -1): Tensor {
  assertFloat('softmax', 'input', x);
  const d = normDim('softmax', dim, x.rank);
  const { shifted, lse } = withoutGrad(() => logSumExpRaw(x, d));
  const logp = binaryRaw('sub', shifted, lse);
  const y = unaryRaw('exp', logp);
  [shifted, lse, logp].forEach((t) => t.dispose());
  // dx = y · (dy − Σ dy·y)
  return record(y, 'softmax', [x], (dy) => {
    const dyy = binaryRaw('mul', dy, y);
    const s = sum(dyy, d, true);
    const c = binaryRaw('sub', dy, s);
    const g = binaryRaw('mul', y, c);
    [dyy, s, c].forEach((t) => t.dispose());
    return [g];
  });
}

export function logSoftmax(x: Tensor, dim = -1): Tensor {
  assertFloat('logSoftmax', 'input', x);
  const d = normDim('logSoftmax', dim, x.rank);
  const { shifted, lse } = withoutGrad(() => logSumExpRaw(x, d));
  const y = binaryRaw('sub', shifted, lse);
  shifted.dispose();
  lse.dispose();
  // dx = dy − softmax · Σ dy
  return record(y, 'logSoftmax', [x], (dy) => {
    const p = unaryRaw('exp', y);
    const s = sum(dy, d, true);
    const ps = binaryRaw('mul', p, s);
    const g = binaryRaw('sub', dy, ps);
    [p, s, ps].forEach((t) => t.dispose());
    return [g];
  });
}

import { noGrad } from '../engine.js';
function withoutGrad<T>(fn: () => T): T {
  return noGrad(fn);
}
