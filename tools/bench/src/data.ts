/**
 * Deterministic operands and layout conversions shared by every adapter, so all backends (ours in NCHW, TensorFlow.js
 * in NHWC) compute the same conv on the same numbers and their outputs can be compared. Browser-safe.
 */

/** `n` floats in [-1, 1) from a 32-bit LCG: the same values on every engine and run, without a seeded RNG library. */
export function randomArray(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

/** Permutes a row-major 4-D array: `out[idx permuted by perm] = src[idx]`, where out's axis k is src's axis perm[k]. */
export function permute4d(src: Float32Array, shape: readonly [number, number, number, number], perm: readonly [number, number, number, number]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const srcStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const s = perm.map((p) => srcStrides[p]);
  const out = new Float32Array(src.length);
  let o = 0;
  for (let a = 0; a < outShape[0]; a++)
    for (let b = 0; b < outShape[1]; b++)
      for (let c = 0; c < outShape[2]; c++)
        for (let d = 0; d < outShape[3]; d++) out[o++] = src[a * s[0] + b * s[1] + c * s[2] + d * s[3]];
  return out;
}

/** NCHW data of shape [n, c, h, w] → NHWC. */
export const nchwToNhwc = (src: Float32Array, shape: readonly [number, number, number, number]) => permute4d(src, shape, [0, 2, 3, 1]);
/** NHWC data of shape [n, h, w, c] → NCHW. */
export const nhwcToNchw = (src: Float32Array, shape: readonly [number, number, number, number]) => permute4d(src, shape, [0, 3, 1, 2]);
/** PyTorch's OIHW filter of shape [o, i, kh, kw] → TensorFlow's HWIO. */
export const oihwToHwio = (src: Float32Array, shape: readonly [number, number, number, number]) => permute4d(src, shape, [2, 3, 1, 0]);

/** The largest |a[i] − b[i]| (Infinity when the lengths differ or a value is NaN: a wrong answer, never "close"). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** The largest |a[i]|: the scale a max abs error is judged against. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
