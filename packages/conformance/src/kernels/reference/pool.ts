/**
 * pool2d and pool2dBackward over core's window tables (see Pool2dGeometry): entries ≥ 0 are input cells, -1 padding
 * (counted in an average's divisor by core when countIncludePad), -2 outside the window. Max, as PyTorch scans a window
 * (`if (v > best || isnan(v)) pick v`): the first of tied maxima takes the gradient, a window holding NaN gives NaN
 * and routes its gradient to its last NaN, an all -inf window to its first cell.
 */
import type { Pool2dGeometry } from '@cnn/core';

/** Flat indices (within a plane) of the input cells of window (i, j), in window order. */
function windowCells(geo: Pool2dGeometry, i: number, j: number): number[] {
  const cells: number[] = [];
  for (let t = 0; t < geo.windowH; t++) {
    const r = geo.rows[i * geo.windowH + t];
    for (let u = 0; u < geo.windowW; u++) {
      const c = geo.cols[j * geo.windowW + u];
      if (r >= 0 && c >= 0) cells.push(r * geo.inW + c);
    }
  }
  return cells;
}

/** The cell PyTorch's scan picks (see above); -1 for a window without cells. */
function argMax(x: Float32Array, plane: number, cells: number[]): number {
  let at = -1;
  for (const cell of cells) {
    const v = x[plane + cell];
    if (at < 0 || v > x[plane + at] || v !== v) at = cell;
  }
  return at;
}

export function pool2d(x: Float32Array, geo: Pool2dGeometry): Float32Array {
  const { batch, channels, inH, inW, outH, outW } = geo;
  const out = new Float32Array(batch * channels * outH * outW);
  for (let s = 0; s < batch * channels; s++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const cells = windowCells(geo, i, j);
        let v: number;
        if (geo.mode === 'max') {
          const at = argMax(x, s * inH * inW, cells);
          v = at < 0 ? -Infinity : x[s * inH * inW + at];
        } else {
          v = cells.reduce((acc, cell) => acc + x[s * inH * inW + cell], 0) / (geo.rowDiv[i] * geo.colDiv[j]);
        }
        out[(s * outH + i) * outW + j] = v;
      }
    }
  }
  return out;
}

export function pool2dBackward(dy: Float32Array, x: Float32Array, geo: Pool2dGeometry): Float32Array {
  const { batch, channels, inH, inW, outH, outW } = geo;
  const dx = new Float64Array(batch * channels * inH * inW);
  for (let s = 0; s < batch * channels; s++) {
    const plane = s * inH * inW;
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const g = dy[(s * outH + i) * outW + j];
        const cells = windowCells(geo, i, j);
        if (geo.mode === 'max') {
          const at = argMax(x, plane, cells);
          if (at >= 0) dx[plane + at] += g;
        } else {
          for (const cell of cells) dx[plane + cell] += g / (geo.rowDiv[i] * geo.colDiv[j]);
        }
      }
    }
  }
  return Float32Array.from(dx);
}
