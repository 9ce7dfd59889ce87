/**
 * ∂L/∂x of pool2d. Max: each dy goes to the cell the forward picked (recomputed from x by argMaxInWindow: the first of
 * tied maxima, the last NaN of a window holding NaN, as PyTorch). Avg: dy / (rowDiv·colDiv) is spread over the
 * window's cells (padding takes its share and drops it). Overlapping windows sum into a float64 plane.
 */
import type { Pool2dGeometry } from '@cnn/core';
import { f64Scratch } from '../scratch.js';
import { argMaxInWindow } from './Pool2D.js';

export function pool2dBackward(dy: Float32Array, x: Float32Array, geo: Pool2dGeometry): Float32Array {
  const { batch, channels, inH, inW, outH, outW, windowH: kh, windowW: kw, rows, cols, rowDiv, colDiv } = geo;
  const planeSize = inH * inW;
  const dx = new Float32Array(batch * channels * planeSize);
  const acc = f64Scratch(planeSize);
  for (let s = 0; s < batch * channels; s++) {
    const plane = s * planeSize;
    acc.fill(0, 0, planeSize);
    let o = s * outH * outW;
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++, o++) {
        const g = dy[o];
        if (geo.mode === 'max') {
          const at = argMaxInWindow(x, plane, geo, i, j);
          if (at >= 0) acc[at] += g;
          continue;
        }
        const share = g / (rowDiv[i] * colDiv[j]);
        for (let t = 0; t < kh; t++) {
          const r = rows[i * kh + t];
          if (r < 0) continue;
          for (let u = 0; u < kw; u++) {
            const c = cols[j * kw + u];
            if (c >= 0) acc[r * inW + c] += share;
          }
        }
      }
    }
    for (let t = 0; t < planeSize; t++) dx[plane + t] = acc[t];
  }
  return dx;
}
