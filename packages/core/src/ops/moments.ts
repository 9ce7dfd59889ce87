/** Standardisation over some axes: the shared core of batch, group, layer and instance normalisation. */
import type { Tensor } from '../tensor.js';
import { add, affine, mul, rsqrt, sub } from './elementwise.js';
import { mean } from './reduce.js';
import { reshape } from './shape.js';

export interface Standardized {
  /** (x − mean) / √(var + eps), x's shape. */
  y: Tensor;
  /** Mean over the axes (kept as size 1). */
  mean: Tensor;
  /** Biased variance over the axes (kept as size 1). */
  variance: Tensor;
}

/**
 * Standardises `x` over `axes`, with the biased variance in two passes as PyTorch computes it — the mean first, then
 * the mean of squared deviations — which stays accurate when |mean| ≫ std, where E[x²] − E[x]² cancels in float32.
 * Composed from differentiable ops, so the gradient through the statistics is exact. Every tensor it makes
 * (results included) is pushed to `temps` for the caller to own or free (`finishComposite`).
 */
export function standardize(x: Tensor, axes: readonly number[], eps: number, temps: Tensor[]): Standardized {
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  const m = keep(mean(x, axes, true));
  const centred = keep(sub(x, m));
  const v = keep(mean(keep(mul(centred, centred)), axes, true));
  const invStd = keep(rsqrt(keep(affine(v, 1, eps))));
  return { y: keep(mul(centred, invStd)), mean: m, variance: v };
}

/** `y · weight + bias`, the parameters viewed as `paramShape` (broadcast against y); either may be absent. */
export function applyAffine(y: Tensor, weight: Tensor | null, bias: Tensor | null, paramShape: readonly number[], temps: Tensor[]): Tensor {
  const keep = (t: Tensor): Tensor => (temps.push(t), t);
  let out = y;
  if (weight) out = keep(mul(out, keep(reshape(weight, paramShape))));
  if (bias) out = keep(add(out, keep(reshape(bias, paramShape))));
  return out;
}
