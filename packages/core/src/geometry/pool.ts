import { fail, fmt, shapeStr } from '../errors.js';
import { pair, type Pair } from './args.js';

/**
 * Pooling as a table of windows, so every backend runs max, average and adaptive pooling (with padding, dilation and
 * ceil mode) through one loop. Output row i looks at input rows `rows[i*windowH + t]` for t < windowH; the same for
 * columns. Entry ≥ 0: an input cell. -1: padding (a zero for average pooling with countIncludePad, ignored by max).
 * -2: outside the window entirely (ignored by both). An average is the sum over the window / (rowDiv[i] · colDiv[j]).
 */
export interface Pool2dGeometry {
  mode: 'max' | 'avg';
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  windowH: number;
  windowW: number;
  rows: Int32Array;
  cols: Int32Array;
  rowDiv: Int32Array;
  colDiv: Int32Array;
}

export interface Pool2dOptions {
  kernelSize: Pair;
  /** Defaults to kernelSize, as in PyTorch. */
  stride?: Pair;
  padding?: Pair;
  /** Max pooling only. */
  dilation?: Pair;
  ceilMode?: boolean;
  /** Average pooling only; default true as in PyTorch. */
  countIncludePad?: boolean;
}

/** PyTorch's pooling output size, including the ceil-mode rule that the last window must start inside the input
 * or its left padding. */
export function poolOutSize(inSize: number, k: number, s: number, pad: number, d: number, ceilMode: boolean): number {
  const span = inSize + 2 * pad - d * (k - 1) - 1;
  let out = Math.floor((span + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (out - 1) * s >= inSize + pad) out--;
  return out;
}

function checkInput(op: string, shape: readonly number[]): void {
  if (shape.length !== 4) fail(op, `input must be 4-D [N, C, H, W], got shape ${shapeStr(shape)}`);
  if (shape[2] < 1 || shape[3] < 1) fail(op, `input spatial size must be ≥ 1, got shape ${shapeStr(shape)}`);
}

function windowAxis(
  out: number, k: number, s: number, pad: number, d: number, inSize: number, mode: 'max' | 'avg', countIncludePad: boolean,
): { idx: Int32Array; div: Int32Array } {
  const idx = new Int32Array(out * k);
  const div = new Int32Array(out);
  for (let i = 0; i < out; i++) {
    const start = i * s - pad;
    let counted = 0;
    for (let t = 0; t < k; t++) {
      const pos = start + t * d;
      let v: number;
      if (pos >= 0 && pos < inSize) v = pos;
      else if (mode === 'avg' && pos >= inSize + pad) v = -2; // past the padded edge (ceil mode): not in the window
      else v = -1;
      idx[i * k + t] = v;
      if (v >= 0 || (v === -1 && countIncludePad)) counted++;
    }
    div[i] = counted;
  }
  return { idx, div };
}

export function resolvePool2d(op: string, xShape: readonly number[], mode: 'max' | 'avg', opts: Pool2dOptions): Pool2dGeometry {
  checkInput(op, xShape);
  const k = pair(op, 'kernelSize', opts.kernelSize, 1, 1);
  const s = pair(op, 'stride', opts.stride ?? opts.kernelSize, 1, 1);
  const p = pair(op, 'padding', opts.padding, 0, 0);
  const d = pair(op, 'dilation', opts.dilation, 1, 1);
  if (mode === 'avg' && (d[0] !== 1 || d[1] !== 1)) fail(op, `dilation is not supported by average pooling, got ${fmt(d)}`);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) fail(op, `padding ${fmt(p)} must be at most half the kernel size ${fmt(k)}`);
  const ceilMode = opts.ceilMode ?? false;
  const countIncludePad = opts.countIncludePad ?? true;
  const [batch, channels, inH, inW] = xShape;
  const outH = poolOutSize(inH, k[0], s[0], p[0], d[0], ceilMode);
  const outW = poolOutSize(inW, k[1], s[1], p[1], d[1], ceilMode);
  if (outH < 1 || outW < 1) {
    fail(op, `kernel ${fmt(k)} with dilation ${fmt(d)} and padding ${fmt(p)} is larger than the input ${inH}×${inW}: output would be ${outH}×${outW}`);
  }
  const r = windowAxis(outH, k[0], s[0], p[0], d[0], inH, mode, countIncludePad);
  const c = windowAxis(outW, k[1], s[1], p[1], d[1], inW, mode, countIncludePad);
  return { mode, batch, channels, inH, inW, outH, outW, windowH: k[0], windowW: k[1], rows: r.idx, cols: c.idx, rowDiv: r.div, colDiv: c.div };
}

function adaptiveAxis(inSize: number, out: number): { idx: Int32Array; div: Int32Array; window: number } {
  let window = 0;
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * inSize) / out);
    const end = Math.ceil(((i + 1) * inSize) / out);
    window = Math.max(window, end - start);
  }
  const idx = new Int32Array(out * window).fill(-2);
  const div = new Int32Array(out);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * inSize) / out);
    const end = Math.ceil(((i + 1) * inSize) / out);
    for (let t = 0; t < end - start; t++) idx[i * window + t] = start + t;
    div[i] = end - start;
  }
  return { idx, div, window };
}

/** Adaptive pooling windows as in PyTorch: start = ⌊i·H/oH⌋, end = ⌈(i+1)·H/oH⌉. */
export function resolveAdaptivePool2d(op: string, xShape: readonly number[], mode: 'max' | 'avg', outputSize: Pair): Pool2dGeometry {
  checkInput(op, xShape);
  const [outH, outW] = pair(op, 'outputSize', outputSize, 1, 1);
  const [batch, channels, inH, inW] = xShape;
  const r = adaptiveAxis(inH, outH);
  const c = adaptiveAxis(inW, outW);
  return { mode, batch, channels, inH, inW, outH, outW, windowH: r.window, windowW: c.window, rows: r.idx, cols: c.idx, rowDiv: r.div, colDiv: c.div };
}
