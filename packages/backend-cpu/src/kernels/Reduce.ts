/**
 * Reductions over the middle axis of `[outer, reduce, inner]`. The loops walk the reduced axis outermost within each
 * outer slice, so every pass over `inner` is unit-stride; running values live in a float64 row.
 * max/min/argmax/argmin propagate NaN as PyTorch does (a NaN beats everything, the first NaN wins) and keep the first
 * index on ties (strict comparisons). An empty reduced axis gives 0 for sum; core never asks the others for one.
 */
import type { ReduceGeometry, ReduceOpName, TypedArray } from '@cnn/core';
import { f64Scratch } from '../scratch.js';

export function reduce(op: ReduceOpName, x: TypedArray, geo: ReduceGeometry): TypedArray {
  const { outer, reduce: r, inner } = geo;
  const isArg = op === 'argmax' || op === 'argmin';
  const out = isArg ? new Int32Array(outer * inner) : new Float32Array(outer * inner);
  const acc = f64Scratch(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    const dst = o * inner;
    if (op === 'sum') {
      acc.fill(0, 0, inner);
      for (let k = 0; k < r; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) acc[i] += x[row + i];
      }
      for (let i = 0; i < inner; i++) out[dst + i] = acc[i];
    } else if (r === 0) {
      out.fill(op === 'max' ? -Infinity : op === 'min' ? Infinity : 0, dst, dst + inner);
    } else {
      // out doubles as the index row for arg ops; acc holds the running extreme.
      const sign = op === 'max' || op === 'argmax' ? 1 : -1;
      for (let i = 0; i < inner; i++) acc[i] = x[base + i];
      if (isArg) out.fill(0, dst, dst + inner);
      for (let k = 1; k < r; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) {
          const v = x[row + i];
          const m = acc[i];
          // Strictly better, or the first NaN (once acc is NaN nothing replaces it).
          if (sign * v > sign * m || (v !== v && m === m)) {
            acc[i] = v;
            if (isArg) out[dst + i] = k;
          }
        }
      }
      if (!isArg) for (let i = 0; i < inner; i++) out[dst + i] = acc[i];
    }
  }
  return out;
}
