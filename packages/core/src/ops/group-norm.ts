/** Group normalisation (torch.nn.functional.group_norm), composed from differentiable ops. */
import { fail, fmt, shapeStr } from '../errors.js';
import { sizeOf } from '../geometry/broadcast.js';
import type { Tensor } from '../tensor.js';
import { finishComposite } from './composite.js';
import { applyAffine, standardize } from './moments.js';
import { checkEps, checkParamShape } from './norm-args.js';
import { reshape } from './shape.js';
import { assertFloat } from './util.js';

export interface GroupNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Normalises `x` [N, C, ...] over each group of C/numGroups consecutive channels and all spatial positions, with the
 * biased variance, then scales and shifts per channel by `weight` and `bias` [C] when given. numGroups 1 normalises
 * each sample as a whole (as LayerNorm over [C, ...] without per-element parameters), numGroups C each channel of
 * each sample (as InstanceNorm). The same in training and evaluation: no running statistics.
 */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, opts: GroupNormOptions = {}): Tensor {
  const op = 'groupNorm';
  assertFloat(op, 'input', x);
  if (x.rank < 2) fail(op, `input must be at least 2-D [N, C, ...], got shape ${shapeStr(x.shape)}`);
  const c = x.shape[1];
  if (!Number.isInteger(numGroups) || numGroups < 1) fail(op, `numGroups must be an integer ≥ 1, got ${fmt(numGroups)}`);
  if (c % numGroups !== 0) fail(op, `numGroups ${numGroups} must divide the number of channels ${c} (input shape ${shapeStr(x.shape)})`);
  checkParamShape(op, 'weight', weight, [c], x.shape);
  checkParamShape(op, 'bias', bias, [c], x.shape);
  const eps = checkEps(op, opts.eps);

  const temps: Tensor[] = [];
  // [N, G, C/G · spatial]: each group's values are contiguous, so one reduction over the last axis, no transpose.
  const grouped = reshape(x, [x.shape[0], numGroups, (c / numGroups) * sizeOf(x.shape.slice(2))]);
  temps.push(grouped);
  const { y } = standardize(grouped, [2], eps, temps);
  const back = reshape(y, x.shape);
  temps.push(back);
  const out = applyAffine(back, weight, bias, x.shape.map((d, i) => (i === 1 ? d : 1)), temps);
  return finishComposite(out, temps);
}
