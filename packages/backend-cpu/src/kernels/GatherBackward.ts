/** Adjoint of gather: dx[o, rows[i], cols[j]] += dy[o, i, j]. Several outputs can read one input cell (replicate,
 * reflect), so each plane is summed in a float64 scratch before the float32 store. */
import type { GatherGeometry } from '@cnn/core';
import { f64Scratch } from '../scratch.js';

export function gatherBackward(dy: Float32Array, geo: GatherGeometry): Float32Array {
  const { outer, inH, inW, outH, outW, rows, cols } = geo;
  const plane = inH * inW;
  const dx = new Float32Array(outer * plane);
  const acc = f64Scratch(plane);
  for (let s = 0; s < outer; s++) {
    acc.fill(0, 0, plane);
    let o = s * outH * outW;
    for (let i = 0; i < outH; i++) {
      const r = rows[i];
      if (r < 0) {
        o += outW;
        continue;
      }
      const row = r * inW;
      for (let j = 0; j < outW; j++, o++) {
        const c = cols[j];
        if (c >= 0) acc[row + c] += dy[o];
      }
    }
    const base = s * plane;
    for (let t = 0; t < plane; t++) dx[base + t] = acc[t];
  }
  return dx;
}
