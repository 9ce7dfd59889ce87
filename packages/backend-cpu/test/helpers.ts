import { expect } from 'vitest';
import type { DType, TensorInfo, TypedArray } from '@cnn/core';
import { CpuBackend } from '../src/index.js';

/** Deterministic PRNG (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function randArray(r: () => number, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Element-wise |a − e| ≤ atol + rtol·|e| (NaN must match NaN), with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) expect.fail(`${what} [${i}]: got ${a}, expected ${e}`);
      continue;
    }
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${what} [${i}]: got ${a}, expected ${e}`);
  }
}

/** A backend plus a shorthand that writes an array and returns the TensorInfo a kernel takes. */
export function setup(): { be: CpuBackend; t: (values: TypedArray, shape: readonly number[], dtype?: DType) => TensorInfo; read: (id: object) => TypedArray } {
  const be = new CpuBackend();
  const t = (values: TypedArray, shape: readonly number[], dtype: DType = values instanceof Int32Array ? 'int32' : 'float32'): TensorInfo => ({
    dataId: be.write(values, dtype),
    shape,
    dtype,
  });
  return { be, t, read: (id) => be.readSync(id) };
}
