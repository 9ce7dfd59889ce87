/** Layer normalisation (torch.nn.functional.layer_norm), composed from differentiable ops. */
import { fail, fmt, shapeStr } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { finishComposite } from './composite.js';
import { applyAffine, standardize } from './moments.js';
import { checkEps, checkParamShape } from './norm-args.js';
import { assertFloat } from './util.js';

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** `normalizedShape` as a list: one integer or a non-empty list of integers ≥ 1. */
export function checkNormalizedShape(op: string, value: unknown): number[] {
  const list = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((d) => Number.isInteger(d) && d >= 1)) {
    fail(op, `normalizedShape must be an integer ≥ 1 or a non-empty list of them, got ${fmt(value)}`);
  }
  return [...(list as number[])];
}

/**
 * Normalises `x` over its last `normalizedShape.length` dimensions, which must equal `normalizedShape` (as PyTorch:
 * `[..., *normalizedShape]`), with the biased variance; then `y · weight + bias`, both of shape `normalizedShape`
 * when given. The same in training and evaluation.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: LayerNormOptions = {},
): Tensor {
  const op = 'layerNorm';
  assertFloat(op, 'input', x);
  const shape = checkNormalizedShape(op, normalizedShape);
  const k = shape.length;
  if (x.rank < k || x.shape.slice(x.rank - k).join() !== shape.join()) {
    fail(op, `normalizedShape ${shapeStr(shape)} must equal the last ${k} dimension${k > 1 ? 's' : ''} of the input, got input shape ${shapeStr(x.shape)}`);
  }
  checkParamShape(op, 'weight', weight, shape, x.shape);
  checkParamShape(op, 'bias', bias, shape, x.shape);
  const eps = checkEps(op, opts.eps);

  const temps: Tensor[] = [];
  // The normalised axes are the trailing ones: one contiguous reduction each pass.
  const axes = shape.map((_, i) => x.rank - k + i);
  const { y } = standardize(x, axes, eps, temps);
  // weight/bias [...normalizedShape] broadcast against the trailing dims as they are.
  const out = applyAffine(y, weight, bias, shape, temps);
  return finishComposite(out, temps);
}
