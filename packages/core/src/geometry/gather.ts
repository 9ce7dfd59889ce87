import { fail, fmt, shapeStr } from '../errors.js';

/**
 * A 2-D gather: `x` viewed as `[outer, inH, inW]` produces `[outer, outH, outW]`, where output row i reads input row
 * `rows[i]` and output column j reads input column `cols[j]`; -1 means "the fill value". Padding in every mode,
 * slicing and cropping are all this one kernel with different index maps, computed here once for every backend.
 */
export interface GatherGeometry {
  outer: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  rows: Int32Array;
  cols: Int32Array;
}

export type PadMode = 'constant' | 'zeros' | 'reflect' | 'replicate' | 'circular';
export const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** Index map of one padded dimension of size `n`, `before` and `after` cells added (negative values crop). */
export function padIndexMap(op: string, mode: PadMode, n: number, before: number, after: number, dimName: string): Int32Array {
  if (mode === 'reflect' && (before >= n || after >= n)) {
    fail(op, `reflect padding ${fmt([before, after])} on ${dimName} must be < input size ${n}`);
  }
  if (mode === 'circular' && (before > n || after > n)) {
    fail(op, `circular padding ${fmt([before, after])} on ${dimName} must be ≤ input size ${n}`);
  }
  const len = n + before + after;
  if (len <= 0) fail(op, `padding ${fmt([before, after])} on ${dimName} of size ${n} leaves an empty dimension`);
  const map = new Int32Array(len);
  for (let i = 0; i < len; i++) {
    const src = i - before;
    if (src >= 0 && src < n) map[i] = src;
    else if (mode === 'constant' || mode === 'zeros') map[i] = -1;
    else if (mode === 'replicate') map[i] = src < 0 ? 0 : n - 1;
    else if (mode === 'circular') map[i] = ((src % n) + n) % n;
    else map[i] = src < 0 ? -src : 2 * (n - 1) - src; // reflect, edge not repeated
  }
  return map;
}

export function identityMap(n: number): Int32Array {
  const m = new Int32Array(n);
  for (let i = 0; i < n; i++) m[i] = i;
  return m;
}

export function rangeMap(start: number, end: number, step: number): Int32Array {
  const len = Math.max(0, Math.ceil((end - start) / step));
  const m = new Int32Array(len);
  for (let i = 0; i < len; i++) m[i] = start + i * step;
  return m;
}

/** Geometry of padding the last two dims of `shape` (rank ≥ 2). */
export function padGeometry2d(
  op: string,
  shape: readonly number[],
  pads: { top: number; bottom: number; left: number; right: number },
  mode: PadMode,
): GatherGeometry {
  if (shape.length < 2) fail(op, `input must have rank ≥ 2 to pad its last two dimensions, got shape ${shapeStr(shape)}`);
  const inH = shape[shape.length - 2];
  const inW = shape[shape.length - 1];
  const outer = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const rows = padIndexMap(op, mode, inH, pads.top, pads.bottom, 'height');
  const cols = padIndexMap(op, mode, inW, pads.left, pads.right, 'width');
  return { outer, inH, inW, outH: rows.length, outW: cols.length, rows, cols };
}
