/** Axis permutation over core's collapsed walk (transposeGeometry): the output is written in order (unit-stride
 * writes) with an odometer over the input strides; the innermost loop is a strided read. */
import { transposeGeometry, type TypedArray } from '@cnn/core';

export function transpose(x: TypedArray, shape: readonly number[], perm: readonly number[]): TypedArray {
  const out = x instanceof Int32Array ? new Int32Array(x.length) : new Float32Array(x.length);
  if (x.length === 0) return out;
  const { shape: loop, strides } = transposeGeometry(shape, perm).loop;
  const rank = loop.length;
  if (rank === 1 && strides[0] === 1) {
    out.set(x);
    return out;
  }
  const inner = loop[rank - 1];
  const sInner = strides[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  const outer = x.length / inner;
  let src = 0;
  let o = 0;
  for (let t = 0; t < outer; t++) {
    for (let j = 0; j < inner; j++) out[o++] = x[src + j * sInner];
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      src += strides[d];
      if (idx[d] < loop[d]) break;
      src -= strides[d] * loop[d];
      idx[d] = 0;
    }
  }
  return out;
}
