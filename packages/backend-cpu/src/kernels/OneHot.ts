/** Class indices [n] → float32 [n, depth]; rows with an index outside [0, depth) (or non-integral) stay zero. */
import type { TypedArray } from '@cnn/core';

export function oneHot(indices: TypedArray, depth: number): Float32Array {
  const n = indices.length;
  const out = new Float32Array(n * depth);
  for (let i = 0; i < n; i++) {
    const c = indices[i];
    if (Number.isInteger(c) && c >= 0 && c < depth) out[i * depth + c] = 1;
  }
  return out;
}
