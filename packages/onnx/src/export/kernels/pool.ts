/**
 * pool2d → MaxPool / AveragePool / GlobalMaxPool / GlobalAveragePool where core's window table is one that ONNX's
 * attributes (kernel, strides, explicit pads, dilations, count_include_pad) produce; otherwise — adaptive pooling
 * with uneven windows, ceil-mode averages that count padding — the table itself: two Gathers that lay every window
 * out, then ReduceMax, or ReduceSum divided by the table's divisors. Both are exact; the first is what other tools
 * expect to see.
 */
import type { Pool2dGeometry, TensorInfo } from '@cnn/core';
import type { Tracer } from '../tracer.js';
import type { Mapped } from './index.js';

interface AxisFit {
  s: number;
  d: number;
  before: number;
  after: number;
  /** Every window's count of input cells (the divisor without padding). */
  valid: number[];
  /** Every window lies inside the padded input (ONNX then counts padding as the kernel size). */
  insidePadded: boolean;
}

/** Finds stride, dilation and padding that give exactly the table's windows along one axis, or null. */
function fitAxis(idx: Int32Array, k: number, inSize: number, out: number): AxisFit | null {
  const windows: number[][] = [];
  for (let i = 0; i < out; i++) windows.push(Array.from(idx.subarray(i * k, (i + 1) * k)));
  // Dilation from two neighbouring cells of one window; stride from where successive windows start.
  let d = 1;
  outer: for (const w of windows) {
    for (let t = 0; t + 1 < k; t++) {
      if (w[t] >= 0 && w[t + 1] >= 0) {
        d = w[t + 1] - w[t];
        break outer;
      }
    }
  }
  if (d < 1) return null;
  for (let before = 0; before < k; before++) {
    for (let s = 1; s <= inSize + k; s++) {
      const span = d * (k - 1) + 1;
      const after = Math.max(0, (out - 1) * s + span - inSize - before);
      if (Math.floor((inSize + before + after - span) / s) + 1 !== out || after >= k) continue;
      const valid: number[] = [];
      let ok = true;
      let insidePadded = true;
      for (let i = 0; i < out && ok; i++) {
        const start = i * s - before;
        let n = 0;
        for (let t = 0; t < k; t++) {
          const pos = start + t * d;
          const want = pos >= 0 && pos < inSize ? pos : -1;
          const have = windows[i][t] >= 0 ? windows[i][t] : -1;
          if (want !== have) ok = false;
          if (want >= 0) n++;
        }
        if (start + span > inSize + after) insidePadded = false;
        valid.push(n);
      }
      if (ok) return { s, d, before, after, valid, insidePadded };
    }
  }
  return null;
}

function divisorsMatch(div: Int32Array, want: (i: number) => number): boolean {
  for (let i = 0; i < div.length; i++) if (div[i] !== want(i)) return false;
  return true;
}

/** ONNX pooling attributes for the table, or null when no setting of them reproduces it. */
function onnxPool(t: Tracer, x: string, geo: Pool2dGeometry): string | null {
  const { g } = t;
  const rows = fitAxis(geo.rows, geo.windowH, geo.inH, geo.outH);
  const cols = fitAxis(geo.cols, geo.windowW, geo.inW, geo.outW);
  if (!rows || !cols) return null;
  const noPad = rows.before + rows.after + cols.before + cols.after === 0;
  const global = noPad && geo.outH === 1 && geo.outW === 1 && geo.windowH === geo.inH && geo.windowW === geo.inW;
  const attrs = {
    kernel_shape: { ints: [geo.windowH, geo.windowW] },
    strides: { ints: [rows.s, cols.s] },
    pads: { ints: [rows.before, cols.before, rows.after, cols.after] },
  };
  if (geo.mode === 'max') {
    if (global) return g.op('GlobalMaxPool', [x]);
    const dilated = rows.d !== 1 || cols.d !== 1;
    if (dilated && g.opset < 10) return null;
    return g.op('MaxPool', [x], dilated ? { ...attrs, dilations: { ints: [rows.d, cols.d] } } : attrs);
  }
  if (rows.d !== 1 || cols.d !== 1) return null;
  // Average: the divisor is either the count of input cells (count_include_pad 0) or the kernel size.
  const excludePad = divisorsMatch(geo.rowDiv, (i) => rows.valid[i]) && divisorsMatch(geo.colDiv, (j) => cols.valid[j]);
  if (global && excludePad) return g.op('GlobalAveragePool', [x]);
  if (excludePad) return g.op('AveragePool', [x], { ...attrs, count_include_pad: { i: 0 } });
  const kernelSize = rows.insidePadded && cols.insidePadded && divisorsMatch(geo.rowDiv, () => geo.windowH) && divisorsMatch(geo.colDiv, () => geo.windowW);
  if (kernelSize) return g.op('AveragePool', [x], { ...attrs, count_include_pad: { i: 1 } });
  return null;
}

/** The window table as Gathers and a reduction: exact for any table. */
function tablePool(t: Tracer, x: string, geo: Pool2dGeometry): string {
  const { g } = t;
  const fill = geo.mode === 'max' ? -Infinity : 0;
  const { batch: n, channels: c, inH, inW, outH, outW, windowH: kh, windowW: kw } = geo;
  const needPad = (idx: Int32Array): boolean => idx.some((v) => v < 0);
  const padRows = needPad(geo.rows);
  const padCols = needPad(geo.cols);
  let y = x;
  if (padRows || padCols) y = g.pad(y, [0, 0, 0, 0, 0, 0, padRows ? 1 : 0, padCols ? 1 : 0], 'constant', fill, 'float32');
  const rows = Array.from(geo.rows, (v) => (v < 0 ? inH : v));
  const cols = Array.from(geo.cols, (v) => (v < 0 ? inW : v));
  y = g.op('Gather', [y, g.constInt64(rows)], { axis: { i: 2 } });
  y = g.op('Gather', [y, g.constInt64(cols)], { axis: { i: 3 } });
  y = g.reshape(y, [n, c, outH, kh, outW, kw]);
  if (geo.mode === 'max') return g.reduce('ReduceMax', y, [3, 5], false);
  const sum = g.reduce('ReduceSum', y, [3, 5], false);
  const div: number[] = [];
  for (let i = 0; i < outH; i++) for (let j = 0; j < outW; j++) div.push(geo.rowDiv[i] * geo.colDiv[j]);
  return g.op('Div', [sum, g.constFloat(div, [outH, outW])]);
}

export function mapPool2d(t: Tracer, x: TensorInfo, geo: Pool2dGeometry): Mapped {
  const input = t.use({ dataId: x.dataId, shape: [geo.batch, geo.channels, geo.inH, geo.inW], dtype: x.dtype });
  return { name: onnxPool(t, input, geo) ?? tablePool(t, input, geo) };
}
