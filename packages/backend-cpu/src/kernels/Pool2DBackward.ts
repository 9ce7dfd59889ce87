/**
 * ∂L/∂x of pool2d. Max: each dy goes to the cell the forward picked (recomputed from x by argMaxInWindow: the first of
 * tied maxima, the last NaN of a window holding NaN, as PyTorch). Avg: dy / (rowDiv·colDiv) is spread over the
 * window's cells (padding takes its share and drops it). Overlapping windows sum into a float64 plane.
 */
import type { Pool2dGeometry } from '@cnn/core';
import { f64Scratch } from '../scratch.js';
import { argMaxInWindow } from './Pool2D.js';

/** True when no input index is in two windows of `table` (one window of `k` entries per output, -1 = padding). */
function disjointWindows(table: Int32Array, k: number, out: number): boolean {
  let prevMax = -1;
  for (let i = 0; i < out; i++) {
    let lo = Infinity;
    let hi = -1;
    for (let t = 0; t < k; t++) {
      const r = table[i * k + t];
      if (r < 0) continue;
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    if (hi < 0) continue;
    if (lo <= prevMax) return false;
    prevMax = hi;
  }
  return true;
}

export function pool2dBackward(dy: Float32Array, x: Float32Array, geo: Pool2dGeometry): Float32Array {
  const { batch, channels, inH, inW, outH, outW, windowH: kh, windowW: kw, rows, cols, rowDiv, colDiv } = geo;
  const planeSize = inH * inW;
  const dx = new Float32Array(batch * channels * planeSize);
  if (geo.mode === 'max' && disjointWindows(rows, kh, outH) && disjointWindows(cols, kw, outW)) {
    // Windows that never overlap (max-pool with stride ≥ window, the usual 2×2/2): each input cell receives at most
    // one dy, so it is written directly — the same value the float64 sum of one term gives.
    for (let s = 0, o = 0; s < batch * channels; s++) {
      const plane = s * planeSize;
      for (let i = 0; i < outH; i++) {
        for (let j = 0; j < outW; j++, o++) {
          const at = argMaxInWindow(x, plane, geo, i, j);
          if (at >= 0) dx[plane + at] = dy[o] + 0; // + 0: a -0 gradient lands as +0, as 0 + (-0) in a sum
        }
      }
    }
    return dx;
  }
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
