/** Instance normalisation (torch.nn.functional.instance_norm), composed from differentiable ops. */
import { noGrad, tidy } from '../engine.js';
import { fail, fmt, shapeStr } from '../errors.js';
import { finiteNumber } from '../geometry/args.js';
import { sizeOf } from '../geometry/broadcast.js';
import type { Tensor } from '../tensor.js';
import { finishComposite } from './composite.js';
import { add, affine } from './elementwise.js';
import { applyAffine, standardize } from './moments.js';
import { batchNorm } from './norm.js';
import { checkEps, checkParamShape } from './norm-args.js';
import { mean } from './reduce.js';
import { reshape } from './shape.js';
import { assertFloat } from './util.js';

export interface InstanceNormOptions {
  /** Normalise each instance with its own statistics (default true, PyTorch's `use_input_stats`); false: with the
   * running statistics, which must then be given. */
  useInputStats?: boolean;
  /** Weight of the new statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Normalises each channel of each sample of `x` [N, C, ...] over its spatial positions (biased variance), then
 * scales and shifts per channel by `weight` and `bias` [C] when given. With `useInputStats` and running statistics
 * [C], those are updated in place as PyTorch does: with the batch average of the per-instance means and of the
 * per-instance **unbiased** variances, `r ← (1 − momentum)·r + momentum·stat`. Without `useInputStats`, the running
 * statistics normalise instead (what nn.InstanceNorm2d does in eval mode when it tracks them).
 */
export function instanceNorm(
  x: Tensor,
  runningMean: Tensor | null = null,
  runningVar: Tensor | null = null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: InstanceNormOptions = {},
): Tensor {
  const op = 'instanceNorm';
  assertFloat(op, 'input', x);
  if (x.rank < 3) fail(op, `input must be at least 3-D [N, C, spatial...], got shape ${shapeStr(x.shape)}`);
  const useInputStats = opts.useInputStats ?? true;
  if (typeof useInputStats !== 'boolean') fail(op, `useInputStats must be true or false, got ${fmt(useInputStats)}`);
  const momentum = finiteNumber(op, 'momentum', opts.momentum, 0.1, 0);
  const eps = checkEps(op, opts.eps);
  const [n, c] = x.shape;
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    checkParamShape(op, name, t, [c], x.shape);
  }
  if (!runningMean !== !runningVar) fail(op, `runningMean and runningVar must be given together, got only ${runningMean ? 'runningMean' : 'runningVar'}`);
  if (!useInputStats && !runningMean) fail(op, 'useInputStats false normalises with the running statistics: runningMean and runningVar are needed');
  const count = sizeOf(x.shape.slice(2));
  if (useInputStats && count <= 1) fail(op, `needs more than one spatial element per channel with useInputStats, got input shape ${shapeStr(x.shape)}`);

  if (!useInputStats) return batchNorm(x, runningMean, runningVar, weight, bias, { training: false, eps });

  const temps: Tensor[] = [];
  const axes = x.shape.map((_, i) => i).slice(2);
  const { y, mean: m, variance: v } = standardize(x, axes, eps, temps);
  if (runningMean && runningVar) {
    noGrad(() =>
      tidy(() => {
        const batchMean = mean(reshape(m, [n, c]), 0);
        const batchVar = mean(reshape(v, [n, c]), 0);
        runningMean.assign(add(affine(runningMean, 1 - momentum), affine(batchMean, momentum)));
        runningVar.assign(add(affine(runningVar, 1 - momentum), affine(batchVar, (momentum * count) / (count - 1))));
      }),
    );
  }
  const out = applyAffine(y, weight, bias, x.shape.map((d, i) => (i === 1 ? d : 1)), temps);
  return finishComposite(out, temps);
}
