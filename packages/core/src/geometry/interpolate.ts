/**
 * Index maps and weights of `F.interpolate` (nearest, bilinear), as PyTorch 1.13 computes them. Both modes are
 * separable: each output row reads input rows fixed by the sizes (and scale factor) alone, never by the data, so
 * core resolves them here once and the op is a `gather` (nearest) or a gather of two taps plus a weighted sum per axis
 * (bilinear) — no kernel of its own.
 */
import { fail, fmt, shapeStr } from '../errors.js';
import { oneOf } from './args.js';

export type InterpolateMode = 'nearest' | 'bilinear';
export const INTERPOLATE_MODES: readonly InterpolateMode[] = ['nearest', 'bilinear'];

export interface InterpolateOptions {
  /** Output [oH, oW] (or one number for both). Exclusive with `scaleFactor`. */
  size?: number | readonly [number, number];
  /** Output ⌊H·s⌋ × ⌊W·s⌋; the factor itself (not the size ratio) maps output to input coordinates. */
  scaleFactor?: number | readonly [number, number];
  /** Default 'nearest', as torch. */
  mode?: InterpolateMode;
  /** Bilinear only: corner pixels' centres of input and output coincide. Default false. */
  alignCorners?: boolean;
  /** With `scaleFactor`: map coordinates by the size ratio instead of the factor (PyTorch's `recompute_scale_factor`). */
  recomputeScaleFactor?: boolean;
}

export interface InterpolateGeometry {
  mode: InterpolateMode;
  alignCorners: boolean;
  outH: number;
  outW: number;
  /** The scale factors PyTorch passes to its kernel (null: the kernel uses the size ratio). */
  scaleH: number | null;
  scaleW: number | null;
}

function pairOf(op: string, name: string, v: unknown, check: (x: unknown) => boolean, allowed: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
  if (!p || !p.every(check)) fail(op, `${name} must be ${allowed} or a pair of them, got ${fmt(v)}`);
  return [p[0] as number, p[1] as number];
}

/** The options' own rules (everything but the input's shape), for `F.interpolate` and `nn.Upsample`'s constructor. */
export function checkInterpolateOptions(op: string, opts: InterpolateOptions): {
  mode: InterpolateMode;
  alignCorners: boolean;
  size: [number, number] | null;
  scaleFactor: [number, number] | null;
} {
  if (!opts || typeof opts !== 'object') fail(op, `expects an options object { size | scaleFactor, mode, alignCorners }, got ${fmt(opts)}`);
  const mode = oneOf(op, 'mode', opts.mode, INTERPOLATE_MODES, 'nearest');
  if (opts.alignCorners !== undefined && opts.alignCorners !== null && mode !== 'bilinear') {
    fail(op, `alignCorners can only be set with mode 'bilinear', got alignCorners ${fmt(opts.alignCorners)} with mode '${mode}'`);
  }
  if (opts.alignCorners != null && typeof opts.alignCorners !== 'boolean') fail(op, `alignCorners must be true or false, got ${fmt(opts.alignCorners)}`);
  const hasSize = opts.size !== undefined && opts.size !== null;
  const hasScale = opts.scaleFactor !== undefined && opts.scaleFactor !== null;
  if (hasSize && hasScale) fail(op, `only one of size and scaleFactor may be given, got size ${fmt(opts.size)} and scaleFactor ${fmt(opts.scaleFactor)}`);
  if (!hasSize && !hasScale) fail(op, 'either size or scaleFactor must be given');
  if (opts.recomputeScaleFactor != null && typeof opts.recomputeScaleFactor !== 'boolean') {
    fail(op, `recomputeScaleFactor must be true or false, got ${fmt(opts.recomputeScaleFactor)}`);
  }
  if (opts.recomputeScaleFactor && hasSize) fail(op, 'recomputeScaleFactor is only allowed with scaleFactor, not with size');
  const size = hasSize ? pairOf(op, 'size', opts.size, (x) => typeof x === 'number' && Number.isInteger(x) && x >= 1, 'an integer ≥ 1') : null;
  const scaleFactor = hasScale
    ? pairOf(op, 'scaleFactor', opts.scaleFactor, (x) => typeof x === 'number' && Number.isFinite(x) && x > 0, 'a finite number > 0')
    : null;
  return { mode, alignCorners: opts.alignCorners ?? false, size, scaleFactor };
}

export function resolveInterpolate(op: string, shape: readonly number[], opts: InterpolateOptions): InterpolateGeometry {
  const { mode, alignCorners, size, scaleFactor } = checkInterpolateOptions(op, opts);
  if (shape.length !== 4) fail(op, `input must be 4-D [N, C, H, W] for mode '${mode}', got shape ${shapeStr(shape)}`);
  const [, , inH, inW] = shape;
  let outH: number;
  let outW: number;
  let scaleH: number | null = null;
  let scaleW: number | null = null;
  if (size) {
    [outH, outW] = size;
  } else {
    const s = scaleFactor as [number, number];
    // PyTorch truncates the double product (C++ double → int64).
    outH = Math.floor(inH * s[0]);
    outW = Math.floor(inW * s[1]);
    if (!opts.recomputeScaleFactor) [scaleH, scaleW] = s;
  }
  if (inH < 1 || inW < 1 || outH < 1 || outW < 1) {
    fail(op, `input and output sizes must be > 0, got input ${inH}×${inW} and output ${outH}×${outW}${scaleFactor ? ` (scaleFactor ${fmt(opts.scaleFactor)})` : ''}`);
  }
  return { mode, alignCorners, outH, outW, scaleH, scaleW };
}

/**
 * Nearest: output i reads input ⌊i·scale⌋ (capped at in − 1), scale = 1/scaleFactor, or in/out without one. PyTorch
 * 1.13 rounds that product in two ways, depending on which CPU kernel the input's layout picks, and core follows it:
 * - one channel (a contiguous [N, 1, H, W] also counts as channels-last, so it takes that kernel's `nearest_idx`):
 *   scale and product in float32, and out = in (identity) and out = 2·in (i >> 1) short-cut, whatever the factor;
 * - otherwise (the generic kernel, as the format's float64 oracle runs it): scale and product in float64, the
 *   product rounded to float32 (`floorf`) before the floor.
 * The two differ only where i·scale falls within rounding of an integer (a factor like 2.01 on 7 → 14 rows).
 * PyTorch's backward kernel always uses `nearest_idx` (the single-channel rule): the gradient's map is
 * `nearestIndexMap(in, out, scaleFactor, true)` whatever the channels.
 */
export function nearestIndexMap(inSize: number, outSize: number, scaleFactor: number | null, singleChannel: boolean): Int32Array {
  const map = new Int32Array(outSize);
  if (singleChannel && outSize === inSize) {
    for (let i = 0; i < outSize; i++) map[i] = i;
  } else if (singleChannel && outSize === 2 * inSize) {
    for (let i = 0; i < outSize; i++) map[i] = i >> 1;
  } else if (singleChannel) {
    const scale = Math.fround(scaleFactor !== null ? 1 / scaleFactor : Math.fround(inSize) / Math.fround(outSize));
    for (let i = 0; i < outSize; i++) map[i] = Math.min(Math.floor(Math.fround(i * scale)), inSize - 1);
  } else {
    const scale = scaleFactor !== null ? 1 / scaleFactor : inSize / outSize;
    for (let i = 0; i < outSize; i++) map[i] = Math.min(Math.floor(Math.fround(scale * i)), inSize - 1);
  }
  return map;
}

/**
 * Linear (one axis of bilinear): output i = w0·in[i0] + w1·in[i1], PyTorch's `area_pixel_compute_source_index`.
 * Returned interleaved: `index[2i]`, `index[2i + 1]` and their weights, so one gather fetches both taps.
 */
export function linearTaps(inSize: number, outSize: number, alignCorners: boolean, scaleFactor: number | null): { index: Int32Array; weights: Float32Array } {
  const index = new Int32Array(2 * outSize);
  const weights = new Float32Array(2 * outSize);
  let scale: number;
  if (alignCorners) scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  else scale = scaleFactor !== null ? 1 / scaleFactor : inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = alignCorners ? scale * i : Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.trunc(src), inSize - 1);
    const lambda = src - i0;
    index[2 * i] = i0;
    index[2 * i + 1] = i0 < inSize - 1 ? i0 + 1 : i0;
    weights[2 * i] = 1 - lambda;
    weights[2 * i + 1] = lambda;
  }
  return { index, weights };
}
