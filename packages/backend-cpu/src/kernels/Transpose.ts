/** Axis permutation. Walks the output in order (unit-stride writes) with an odometer over the input strides; the
 * innermost output axis is a strided read loop. */
import type { TypedArray } from '@cnn/core';

export function transpose(x: TypedArray, shape: readonly number[], perm: readonly number[]): TypedArray {
  const rank = shape.length;
  const out = x instanceof Int32Array ? new Int32Array(x.length) : new Float32Array(x.length);
  if (x.length === 0) return out;
  if (rank <= 1) {
    out.set(x);
    return out;
  }
  const inStrides = new Array<number>(rank);
  for (let d = rank - 1, acc = 1; d >= 0; d--) {
    inStrides[d] = acc;
    acc *= shape[d];
  }
  const outShape = perm.map((p) => shape[p]);
  const st = perm.map((p) => inStrides[p]); // input stride of each output axis
  const inner = outShape[rank - 1];
  const sInner = st[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  const outer = x.length / inner;
  let src = 0;
  let o = 0;
  for (let t = 0; t < outer; t++) {
    for (let j = 0; j < inner; j++) out[o++] = x[src + j * sInner];
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      src += st[d];
      if (idx[d] < outShape[d]) break;
      src -= st[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}
