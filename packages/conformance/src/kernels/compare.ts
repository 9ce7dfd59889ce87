import type { DType } from '@cnn/core';
import { DEFAULT_TOLERANCE, type Tolerance } from '../format.js';

/**
 * A kernel output against the reference's: same length; int32 outputs (indices, casts) equal; float outputs within
 * |a − e| ≤ atol + rtol·|e|, where NaN matches only NaN and ±inf only the same infinity. Returns a description of
 * the first problem, or null.
 */
export function compareKernelOutput(got: ArrayLike<number>, want: ArrayLike<number>, dtype: DType, tol: Tolerance = DEFAULT_TOLERANCE): string | null {
  if (got.length !== want.length) return `${got.length} elements, expected ${want.length}`;
  let bad = 0;
  let first = -1;
  let maxAbsError = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const e = want[i];
    let ok: boolean;
    if (dtype === 'int32' || !Number.isFinite(e)) ok = a === e || (a !== a && e !== e);
    else {
      const err = Math.abs(a - e);
      ok = err <= tol.atol + tol.rtol * Math.abs(e);
      if (!(err <= maxAbsError)) maxAbsError = Number.isNaN(err) ? Infinity : err;
    }
    if (!ok) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (!bad) return null;
  return `${bad} of ${want.length} elements differ (max abs error ${maxAbsError.toExponential(3)}; first at ${first}: got ${got[first]}, expected ${want[first]})`;
}
