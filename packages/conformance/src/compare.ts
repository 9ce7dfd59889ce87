import type { Tolerance } from './format.js';

export interface Mismatch {
  /** Largest |actual − expected| (Infinity when a NaN or shape mismatch is involved). */
  maxAbsError: number;
  /** Elements outside |actual − expected| ≤ atol + rtol·|expected|. */
  badCount: number;
  firstBadIndex: number;
}

/** Elementwise closeness as the format defines it; NaN never matches. Returns null when all elements are close. */
export function compareValues(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): Mismatch | null {
  let maxAbsError = 0;
  let badCount = 0;
  let firstBadIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    const ok = err <= tol.atol + tol.rtol * Math.abs(e); // false for NaN
    if (!(err <= maxAbsError)) maxAbsError = Number.isNaN(err) ? Infinity : err;
    if (!ok) {
      badCount++;
      if (firstBadIndex < 0) firstBadIndex = i;
    }
  }
  return badCount ? { maxAbsError, badCount, firstBadIndex } : null;
}
