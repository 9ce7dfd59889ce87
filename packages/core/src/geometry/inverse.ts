/**
 * Inverse index maps for the backward kernels of gather and pooling. Their forward geometry says, for each output
 * row (column), which input rows (columns) it reads; a backward kernel that computes each input cell on its own — a
 * GPU shader, one invocation per input cell, with no scatter — needs the reverse: for each input row, the output rows
 * that read it. Built once per geometry object (memoised in a WeakMap), so a layer's backward pass on every step pays
 * nothing after the first.
 */
import type { GatherGeometry } from './gather.js';
import type { Pool2dGeometry } from './pool.js';

/**
 * For each input position p in [0, inSize): the output positions that read p, ascending and without repeats, in
 * `table[p * width + s]` for s < width, padded with -1. `width` is the longest such list (at least 1).
 */
export interface InverseIndexMap {
  width: number;
  table: Int32Array;
}

/**
 * Inverts a windowed index map: output position o reads `map[o * window + t]` for t < window (entries < 0 read
 * nothing: padding or outside the window).
 */
export function invertIndexMap(map: Int32Array, outCount: number, window: number, inSize: number): InverseIndexMap {
  const counts = new Int32Array(inSize);
  const last = new Int32Array(inSize).fill(-1); // the last output listed for p: outputs arrive in order, so repeats are adjacent
  for (let o = 0; o < outCount; o++) {
    for (let t = 0; t < window; t++) {
      const p = map[o * window + t];
      if (p >= 0 && p < inSize && last[p] !== o) {
        last[p] = o;
        counts[p]++;
      }
    }
  }
  let width = 1;
  for (let p = 0; p < inSize; p++) if (counts[p] > width) width = counts[p];
  const table = new Int32Array(inSize * width).fill(-1);
  counts.fill(0);
  last.fill(-1);
  for (let o = 0; o < outCount; o++) {
    for (let t = 0; t < window; t++) {
      const p = map[o * window + t];
      if (p >= 0 && p < inSize && last[p] !== o) {
        last[p] = o;
        table[p * width + counts[p]++] = o;
      }
    }
  }
  return { width, table };
}

/** Rows and columns inverted: which output rows read input row r, which output columns read input column c. */
export interface InverseGeometry {
  rows: InverseIndexMap;
  cols: InverseIndexMap;
}

const gatherCache = new WeakMap<GatherGeometry, InverseGeometry>();
const poolCache = new WeakMap<Pool2dGeometry, InverseGeometry>();

/** The inverse of a gather's row and column maps (for gatherBackward). */
export function gatherInverse(geo: GatherGeometry): InverseGeometry {
  let inv = gatherCache.get(geo);
  if (!inv) {
    inv = { rows: invertIndexMap(geo.rows, geo.outH, 1, geo.inH), cols: invertIndexMap(geo.cols, geo.outW, 1, geo.inW) };
    gatherCache.set(geo, inv);
  }
  return inv;
}

/** The inverse of pooling's window tables (for pool2dBackward): the output rows whose windows hold input row r. */
export function pool2dInverse(geo: Pool2dGeometry): InverseGeometry {
  let inv = poolCache.get(geo);
  if (!inv) {
    inv = {
      rows: invertIndexMap(geo.rows, geo.outH, geo.windowH, geo.inH),
      cols: invertIndexMap(geo.cols, geo.outW, geo.windowW, geo.inW),
    };
    poolCache.set(geo, inv);
  }
  return inv;
}
