/** Losses. Class targets are int32 indices (integral float32 is accepted, as in conformance files). */
import type { Tensor } from '../tensor.js';
import { fail, shapeStr } from '../errors.js';
import { finiteNumber, oneOf } from '../geometry/args.js';
import { logSoftmax } from './activation.js';
import { affine, binaryRaw, mul, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { flatten, permute } from './shape.js';
import { assertFloat, assertTensor, backendOf, makeTensor, record } from './util.js';

export type Reduction = 'mean' | 'sum' | 'none';
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Float one-hot rows [n, depth] from class indices [n]. */
export function oneHot(indices: Tensor, depth: number): Tensor {
  assertTensor('oneHot', 'indices', indices);
  if (indices.rank !== 1) fail('oneHot', `indices must be 1-D, got shape ${shapeStr(indices.shape)}`);
  if (!Number.isInteger(depth) || depth < 1) fail('oneHot', `depth must be an integer ≥ 1, got ${depth}`);
  const b = backendOf('oneHot', indices);
  if (b.readSync) {
    // Where reading is cheap, an out-of-range class is reported instead of silently giving a zero row.
    const v = b.readSync(indices.dataId);
    for (let i = 0; i < v.length; i++) {
      if (!(v[i] >= 0 && v[i] < depth) || !Number.isInteger(v[i])) fail('oneHot', `class index ${v[i]} at position ${i} is outside [0, ${depth - 1}]`);
    }
  }
  return makeTensor(b, b.oneHot(indices, depth), [indices.shape[0], depth]);
}

/**
 * `values · hot` for a 0/1 one-hot `hot`, except that a zero of `hot` gives 0 even against ±inf: torch picks the
 * target's entry by index, so a -inf log-probability of another class (a masked logit) must not turn into NaN.
 */
function pickByMask(values: Tensor, hot: Tensor): Tensor {
  return record(binaryRaw('mask', values, hot), 'pickByMask', [values], (dy) => [binaryRaw('mask', dy, hot)]);
}

function applyReduction(op: string, perItem: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return perItem;
  const r = reduction === 'mean' ? mean(perItem) : sum(perItem);
  return r.own(perItem);
}

/** Logits [N, C] (or [N, C, d1, ...]) → rows [M, C] and the matching target length. */
function classRows(op: string, input: Tensor, target: Tensor): { rows: Tensor; owned: Tensor[] } {
  assertFloat(op, 'input', input);
  assertTensor(op, 'target', target);
  if (input.rank < 2) fail(op, `input must be [N, C] or [N, C, d1, ...], got shape ${shapeStr(input.shape)}`);
  const expected = [input.shape[0], ...input.shape.slice(2)];
  if (target.shape.join() !== expected.join()) {
    fail(op, `target shape ${shapeStr(target.shape)} does not match input shape ${shapeStr(input.shape)} (expected ${shapeStr(expected)})`);
  }
  const classes = input.shape[1];
  const b = backendOf(op, input, target);
  if (b.readSync) {
    // Where reading is cheap, an out-of-range class is reported here, before any work, naming this op.
    const v = b.readSync(target.dataId);
    for (let i = 0; i < v.length; i++) {
      if (!(v[i] >= 0 && v[i] < classes) || !Number.isInteger(v[i])) {
        fail(op, `target class ${v[i]} at position ${i} is outside [0, ${classes - 1}] (input shape ${shapeStr(input.shape)} has ${classes} classes)`);
      }
    }
  }
  if (input.rank === 2) return { rows: input, owned: [] };
  const perm = [0, ...input.shape.slice(2).map((_, i) => i + 2), 1];
  const moved = permute(input, perm);
  const rows = flatten(moved, 0, -2);
  return { rows, owned: [moved, rows] };
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Mixes the one-hot target with the uniform distribution: (1−ε)·onehot + ε/C. */
  labelSmoothing?: number;
}

/** Cross entropy of logits against class indices, = nllLoss(logSoftmax(input, 1), target). */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const reduction = oneOf(op, 'reduction', opts.reduction, REDUCTIONS, 'mean');
  const eps = finiteNumber(op, 'labelSmoothing', opts.labelSmoothing, 0, 0);
  if (eps > 1) fail(op, `labelSmoothing must be in [0, 1], got ${eps}`);
  const { rows, owned } = classRows(op, input, target);
  const classes = rows.shape[1];
  const flatTarget = flatten(target);
  const hot = oneHot(flatTarget, classes);
  const q = eps > 0 ? affine(hot, 1 - eps, eps / classes) : hot;
  const logp = logSoftmax(rows, 1);
  // With label smoothing every weight is positive, so a -inf log-probability gives an inf loss, as in torch.
  const weighted = eps > 0 ? mul(logp, q) : pickByMask(logp, hot);
  const total = sum(weighted, 1);
  const neg = affine(total, -1, 0);
  const perItem = input.rank === 2 ? neg : neg.reshape(target.shape).own(neg);
  const out = applyReduction(op, perItem, reduction);
  return out.own(...owned, flatTarget, hot, ...(q !== hot ? [q] : []), logp, weighted, total);
}

export interface LossOptions {
  reduction?: Reduction;
}

/** Negative log-likelihood of log-probabilities [N, C] at class indices [N]. */
export function nllLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const op = 'nllLoss';
  const reduction = oneOf(op, 'reduction', opts.reduction, REDUCTIONS, 'mean');
  const { rows, owned } = classRows(op, input, target);
  const flatTarget = flatten(target);
  const hot = oneHot(flatTarget, rows.shape[1]);
  const picked = pickByMask(rows, hot);
  const total = sum(picked, 1);
  const neg = affine(total, -1, 0);
  const perItem = input.rank === 2 ? neg : neg.reshape(target.shape).own(neg);
  return applyReduction(op, perItem, reduction).own(...owned, flatTarget, hot, picked, total);
}

/** Mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const op = 'mseLoss';
  const reduction = oneOf(op, 'reduction', opts.reduction, REDUCTIONS, 'mean');
  assertFloat(op, 'input', input);
  assertFloat(op, 'target', target);
  if (input.shape.join() !== target.shape.join()) fail(op, `input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} must match`);
  const d = sub(input, target);
  const sq = mul(d, d);
  return applyReduction(op, sq, reduction).own(d);
}

