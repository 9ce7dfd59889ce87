/**
 * gather (pad, slice, crop, concat's placement, nearest upsampling, unfold's windows…) → Pad or Slice where the
 * index maps are one, else the maps themselves: Gather along each axis on a flattened constant index tensor, after
 * padding one fill cell at the end of the axes whose map holds -1.
 */
import type { DType, GatherGeometry, TensorInfo } from '@cnn/core';
import { padIndexMap } from '@cnn/core';
import type { Tracer } from '../tracer.js';
import type { Mapped } from './index.js';

type PadFit = { mode: 'constant' | 'reflect' | 'edge'; before: number; after: number };

function same(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The map as non-negative padding of an axis of size n in one of ONNX's pad modes, or null. */
function fitPad(map: Int32Array, n: number): PadFit[] {
  const extra = map.length - n;
  if (extra < 0) return [];
  const fits: PadFit[] = [];
  const modes = [['constant', 'constant'], ['reflect', 'reflect'], ['replicate', 'edge']] as const;
  for (let before = 0; before <= extra; before++) {
    for (const [core, onnx] of modes) {
      let ref: Int32Array;
      try {
        ref = padIndexMap('export', core, n, before, extra - before, 'axis');
      } catch {
        continue;
      }
      if (same(ref, map)) fits.push({ mode: onnx, before, after: extra - before });
    }
  }
  return fits;
}

/** The map as a strided slice `start + i·step` (all in range), or null. */
function fitSlice(map: Int32Array): { start: number; step: number } | null {
  if (map.length === 0 || map[0] < 0) return null;
  const step = map.length > 1 ? map[1] - map[0] : 1;
  if (step < 1) return null;
  for (let i = 0; i < map.length; i++) if (map[i] !== map[0] + i * step) return null;
  return { start: map[0], step };
}

function asPad(t: Tracer, x: string, geo: GatherGeometry, value: number, dtype: DType): string | null {
  const rows = fitPad(geo.rows, geo.inH);
  const cols = fitPad(geo.cols, geo.inW);
  for (const r of rows) {
    for (const c of cols) {
      // An unpadded axis fits every mode; both axes must agree on the one Pad runs.
      const mode = r.before + r.after === 0 ? c.mode : c.before + c.after === 0 ? r.mode : r.mode === c.mode ? r.mode : null;
      if (!mode) continue;
      if (r.before + r.after + c.before + c.after === 0) return t.g.op('Identity', [x]);
      return t.g.pad(x, [0, r.before, c.before, 0, r.after, c.after], mode, value, dtype);
    }
  }
  return null;
}

function asSlice(t: Tracer, x: string, geo: GatherGeometry): string | null {
  const r = fitSlice(geo.rows);
  const c = fitSlice(geo.cols);
  if (!r || !c) return null;
  const end = (s: { start: number; step: number }, len: number): number => s.start + (len - 1) * s.step + 1;
  return t.g.slice(x, [r.start, c.start], [end(r, geo.outH), end(c, geo.outW)], [1, 2], [r.step, c.step]);
}

function asGathers(t: Tracer, x: string, geo: GatherGeometry, value: number, dtype: DType): string {
  const { g } = t;
  const padRows = geo.rows.some((v) => v < 0);
  const padCols = geo.cols.some((v) => v < 0);
  let y = x;
  if (padRows || padCols) y = g.pad(y, [0, 0, 0, 0, padRows ? 1 : 0, padCols ? 1 : 0], 'constant', value, dtype);
  const identity = (m: Int32Array, n: number): boolean => m.length === n && m.every((v, i) => v === i);
  if (!identity(geo.rows, geo.inH)) y = g.op('Gather', [y, g.constInt64(Array.from(geo.rows, (v) => (v < 0 ? geo.inH : v)))], { axis: { i: 1 } });
  if (!identity(geo.cols, geo.inW)) y = g.op('Gather', [y, g.constInt64(Array.from(geo.cols, (v) => (v < 0 ? geo.inW : v)))], { axis: { i: 2 } });
  return y === x ? g.op('Identity', [x]) : y;
}

export function mapGather(t: Tracer, x: TensorInfo, geo: GatherGeometry, value: number): Mapped {
  const input = t.use({ dataId: x.dataId, shape: [geo.outer, geo.inH, geo.inW], dtype: x.dtype });
  const name = asPad(t, input, geo, value, x.dtype) ?? asSlice(t, input, geo) ?? asGathers(t, input, geo, value, x.dtype);
  return { name };
}
