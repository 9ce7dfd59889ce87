/**
 * Max / average pooling over core's window tables (see Pool2dGeometry): rows[i·windowH + t] and cols[j·windowW + u]
 * name input cells (≥ 0), padding (-1) or nothing (-2). Max skips both kinds of non-cell; a window holding a NaN gives
 * NaN (PyTorch). Average sums the cells and divides by rowDiv[i]·colDiv[j] (padding counted there by core when
 * countIncludePad).
 */
import type { Pool2dGeometry } from '@cnn/core';

export function pool2d(x: Float32Array, geo: Pool2dGeometry): Float32Array {
  const { batch, channels, inH, inW, outH, outW, windowH: kh, windowW: kw, rows, cols, rowDiv, colDiv } = geo;
  const out = new Float32Array(batch * channels * outH * outW);
  const isMax = geo.mode === 'max';
  let o = 0;
  for (let s = 0; s < batch * channels; s++) {
    const plane = s * inH * inW;
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        let acc = isMax ? -Infinity : 0;
        for (let t = 0; t < kh; t++) {
          const r = rows[i * kh + t];
          if (r < 0) continue;
          const row = plane + r * inW;
          for (let u = 0; u < kw; u++) {
            const c = cols[j * kw + u];
            if (c < 0) continue;
            const v = x[row + c];
            if (!isMax) acc += v;
            else if (v > acc || (v !== v && acc === acc)) acc = v;
          }
        }
        out[o++] = isMax ? acc : acc / (rowDiv[i] * colDiv[j]);
      }
    }
  }
  return out;
}

/**
 * Flat input index (within a plane) of the cell max pooling picks in window (i, j), or -1 if the window has no cell.
 * As PyTorch's `val > max || isnan(val)` scan: the first cell of the window to start with (so an all -inf window
 * routes there), a strict `>` so the first of tied maxima wins, and every NaN replaces the pick, so the LAST NaN wins.
 */
export function argMaxInWindow(x: Float32Array, plane: number, geo: Pool2dGeometry, i: number, j: number): number {
  const { inW, windowH: kh, windowW: kw, rows, cols } = geo;
  let best = -Infinity;
  let at = -1;
  for (let t = 0; t < kh; t++) {
    const r = rows[i * kh + t];
    if (r < 0) continue;
    for (let u = 0; u < kw; u++) {
      const c = cols[j * kw + u];
      if (c < 0) continue;
      const v = x[plane + r * inW + c];
      if (at < 0 || v > best || v !== v) {
        best = v;
        at = r * inW + c;
      }
    }
  }
  return at;
}
