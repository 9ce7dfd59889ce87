/** 2-D index-map gather (pad in every mode, slice, crop): out[o, i, j] = x[o, rows[i], cols[j]], or `value` where
 * either index is -1. */
import type { GatherGeometry, TypedArray } from '@cnn/core';

export function gather(x: TypedArray, geo: GatherGeometry, value: number): TypedArray {
  const { outer, inH, inW, outH, outW, rows, cols } = geo;
  const out = x instanceof Int32Array ? new Int32Array(outer * outH * outW) : new Float32Array(outer * outH * outW);
  let o = 0;
  for (let s = 0; s < outer; s++) {
    const plane = s * inH * inW;
    for (let i = 0; i < outH; i++) {
      const r = rows[i];
      if (r < 0) {
        out.fill(value, o, o + outW);
        o += outW;
        continue;
      }
      const row = plane + r * inW;
      for (let j = 0; j < outW; j++) {
        const c = cols[j];
        out[o++] = c >= 0 ? x[row + c] : value;
      }
    }
  }
  return out;
}
