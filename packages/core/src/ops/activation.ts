/** Activations: each is one elementwise kernel forward and one fused kernel backward. */
import { finiteNumber } from '../geometry/args.js';
import type { Tensor } from '../tensor.js';
import { binaryRaw, unaryRaw } from './elementwise.js';
import { max, sum } from './reduce.js';
import { assertFloat, normDim, record } from './util.js';

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
