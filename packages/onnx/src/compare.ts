/** How far one answer is from another, in the measure the import and export checks use. */

/**
 * Largest |actual − expected| over the largest |expected| (floored at 1e-12, so that an all-zero answer gives 0, not
 * NaN): "within 1e-4 of the largest logit" is `relativeMaxError(ours, theirs) <= 1e-4`.
 */
export function relativeMaxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return err / Math.max(scale, 1e-12);
}
