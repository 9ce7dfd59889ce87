/** Batch normalisation, composed from differentiable ops so its gradient (through the batch statistics) is exact. */
import { noGrad, tidy } from '../engine.js';
import { fail, shapeStr } from '../errors.js';
import { finiteNumber } from '../geometry/args.js';
import type { Tensor } from '../tensor.js';
import { add, affine, mul, rsqrt, sub } from './elementwise.js';
import { reshape } from './shape.js';
import { assertFloat } from './util.js';
import { finishComposite } from './composite.js';
import { applyAffine, standardize } from './moments.js';

export interface BatchNormOptions {
  training?: boolean;
  /** Weight of the new batch statistic in the running averages (PyTorch's default 0.1). */
  momentum?: number;
  eps?: number;
}

/**
 * Normalises `x` [N, C, ...] per channel. Training: batch statistics (biased variance), and the running statistics,
 * when given, are updated in place with the unbiased variance, as PyTorch does. Eval: running statistics.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  assertFloat(op, 'input', x);
  if (x.rank < 2) fail(op, `input must be at least 2-D [N, C, ...], got shape ${shapeStr(x.shape)}`);
  const training = opts.training ?? false;
  const momentum = finiteNumber(op, 'momentum', opts.momentum, 0.1, 0);
  const eps = finiteNumber(op, 'eps', opts.eps, 1e-5, 0);
  const c = x.shape[1];
  const named: [string, Tensor | null][] = [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]];
  for (const [name, t] of named) {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) fail(op, `${name} must have shape [${c}] for input shape ${shapeStr(x.shape)}, got ${shapeStr(t.shape)}`);
  }
  if (!training && (!runningMean || !runningVar)) fail(op, 'evaluation mode needs runningMean and runningVar');
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const count = x.size / c;
  if (training && count <= 1) fail(op, `training needs more than one value per channel, got input shape ${shapeStr(x.shape)}`);
  const paramShape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const temps: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (temps.push(t), t);

  let y: Tensor;
  if (training) {
    const s = standardize(x, axes, eps, temps);
    y = s.y;
    if (runningMean && runningVar) {
      noGrad(() =>
        tidy(() => {
          const bm = reshape(s.mean, [c]);
          const bv = reshape(s.variance, [c]);
          runningMean.assign(add(affine(runningMean, 1 - momentum), affine(bm, momentum)));
          runningVar.assign(add(affine(runningVar, 1 - momentum), affine(bv, (momentum * count) / (count - 1))));
        }),
      );
    }
  } else {
    const m = keep(reshape(runningMean!, paramShape));
    const invStd = keep(rsqrt(keep(affine(keep(reshape(runningVar!, paramShape)), 1, eps))));
    y = keep(mul(keep(sub(x, m)), invStd));
  }
  return finishComposite(applyAffine(y, weight, bias, paramShape, temps), temps);
}
