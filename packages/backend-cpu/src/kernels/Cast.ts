/** dtype conversion. Float → int32 truncates toward zero (Math.trunc), as PyTorch's .int() does; the typed-array store
 * then wraps out-of-range values and maps NaN to 0. */
import type { DType, TypedArray } from '@cnn/core';

export function cast(x: TypedArray, dtype: DType): TypedArray {
  if (dtype === 'float32') return Float32Array.from(x);
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]);
  return out;
}
