/**
 * Resize (opset 10+) and Upsample (7–9), every mode of ONNX's reference (onnx/backend/test/case/node/resize.py):
 * nearest (4 rounding modes), linear and cubic (cubic_coeff_a, exclude_outside), with every coordinate transform
 * including tf_crop_and_resize (roi, extrapolation_value). What PyTorch writes (nearest asymmetric + floor at integer
 * scales, bilinear half_pixel / pytorch_half_pixel / align_corners at integer output sizes) goes to core's
 * interpolate kernel; everything else is separable: each resized axis is one matmul with an [out, in] weight matrix
 * computed here from the reference's formulas (weights of a row sum to 1; an extrapolated position adds its value).
 */
import { F, tensor, type Tensor } from '@cnn/core';
import { onnxFail } from '../errors.js';
import { sizeOfShape } from '../values.js';
import { requireTensor, type NodeInfo, type OpContext, type OpImpl } from './context.js';

interface ResizeSpec {
  mode: 'nearest' | 'linear' | 'cubic';
  coord: string;
  nearestMode: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
}

const COORDS = new Set(['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize']);
const NEAREST_MODES = new Set(['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']);

function isUpsample(c: { opType: string; opset: number }): boolean {
  return c.opType === 'Upsample' || c.opset < 11;
}

function specOf(c: { opType: string; opset: number; attrs: OpContext['attrs'] }): ResizeSpec {
  const upsample = isUpsample(c);
  let mode = c.attrs.string('mode', 'nearest');
  if (mode === 'bilinear') mode = 'linear'; // Upsample-7's name for it
  return {
    mode: mode as ResizeSpec['mode'],
    // Upsample and Resize-10 compute x_original = x_resized / scale.
    coord: upsample ? 'asymmetric' : c.attrs.string('coordinate_transformation_mode', 'half_pixel'),
    nearestMode: upsample ? 'floor' : c.attrs.string('nearest_mode', 'round_prefer_floor'),
    cubicA: c.attrs.float('cubic_coeff_a', -0.75),
    excludeOutside: c.attrs.int('exclude_outside', 0) === 1,
    extrapolation: c.attrs.float('extrapolation_value', 0),
  };
}

/** Options out of scope, before anything runs. */
function unsupported(node: NodeInfo): string | undefined {
  const s = specOf(node);
  if (!['nearest', 'linear', 'cubic'].includes(s.mode)) return `mode '${s.mode}'`;
  if (!COORDS.has(s.coord)) return `coordinate_transformation_mode '${s.coord}'`;
  if (!NEAREST_MODES.has(s.nearestMode)) return `nearest_mode '${s.nearestMode}'`;
  if (node.attrs.int('antialias', 0) !== 0) return 'antialias 1';
  if (node.attrs.has('axes')) return 'the axes attribute';
  if (node.attrs.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') return `keep_aspect_ratio_policy '${node.attrs.string('keep_aspect_ratio_policy', '')}'`;
  return undefined;
}

/** Weights of one output position: [input index, weight] pairs, plus the extrapolated constant (tf_crop_and_resize). */
function taps(s: ResizeSpec, x: number, inLen: number): { idx: number[]; w: number[] } {
  if (s.mode === 'nearest') {
    let i: number;
    if (Number.isInteger(x)) i = x;
    else if (s.nearestMode === 'floor') i = Math.floor(x);
    else if (s.nearestMode === 'ceil') i = Math.ceil(x);
    else if (s.nearestMode === 'round_prefer_ceil') i = x - Math.floor(x) >= 0.5 ? Math.ceil(x) : Math.floor(x);
    else i = x - Math.floor(x) > 0.5 ? Math.ceil(x) : Math.floor(x);
    return { idx: [Math.min(inLen - 1, Math.max(0, i))], w: [1] };
  }
  // The reference prefers the neighbour on the left: ratio in (0, 1], base = ceil(x) − 1.
  const base = Math.ceil(x) - 1;
  const r = x - base;
  let idx: number[];
  let w: number[];
  if (s.mode === 'linear') {
    idx = [base, base + 1];
    w = [1 - r, r];
  } else {
    const A = s.cubicA;
    const c = (t: number): number => {
      const a = Math.abs(t);
      if (a <= 1) return ((A + 2) * a - (A + 3)) * a * a + 1;
      if (a < 2) return ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
      return 0;
    };
    idx = [base - 1, base, base + 1, base + 2];
    w = [c(r + 1), c(r), c(1 - r), c(2 - r)];
  }
  if (s.excludeOutside) {
    w = w.map((v, k) => (idx[k] < 0 || idx[k] >= inLen ? 0 : v));
    const sum = w.reduce((a, b) => a + b, 0);
    w = w.map((v) => v / sum);
  }
  // Outside the input the reference pads with the edge value.
  return { idx: idx.map((i) => Math.min(inLen - 1, Math.max(0, i))), w };
}

/** x_original of output position `x` (ONNX's coordinate_transformation_mode), or null where tf_crop_and_resize
 * extrapolates. `outLen` is scale × inLen, fractional when scales were given. */
function original(s: ResizeSpec, x: number, inLen: number, outLen: number, scale: number, roi: [number, number]): number | null {
  switch (s.coord) {
    case 'align_corners': return outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    case 'pytorch_half_pixel': return outLen === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case 'tf_crop_and_resize': {
      const v = (outLen === 1 ? ((roi[1] - roi[0]) * (inLen - 1)) / 2 : (x * (roi[1] - roi[0]) * (inLen - 1)) / (outLen - 1)) + roi[0] * (inLen - 1);
      return v < 0 || v > inLen - 1 ? null : v;
    }
    default: return (x + 0.5) / scale - 0.5; // half_pixel
  }
}

/** Resizes axis `axis` of x to `out` positions: one matmul with the weight matrix (plus the extrapolated values). */
function resizeAxis(x: Tensor, axis: number, out: number, scale: number, s: ResizeSpec, roi: [number, number]): Tensor {
  const inLen = x.shape[axis];
  const weights = new Float32Array(inLen * out); // [in, out]: x_last @ weights
  const extra = new Float32Array(out);
  let extrapolates = false;
  for (let j = 0; j < out; j++) {
    const o = original(s, j, inLen, scale * inLen, scale, roi);
    if (o === null) {
      extra[j] = s.extrapolation;
      extrapolates = true;
      continue;
    }
    const { idx, w } = taps(s, o, inLen);
    idx.forEach((i, k) => (weights[i * out + j] += w[k]));
  }
  const rank = x.rank;
  const perm = x.shape.map((_, i) => i);
  perm.splice(axis, 1);
  perm.push(axis);
  const moved = axis === rank - 1 ? x : F.permute(x, perm);
  const lead = moved.shape.slice(0, -1);
  const flat = F.reshape(moved, [sizeOfShape(lead), inLen]);
  let y = F.matmul(flat, tensor(weights, [inLen, out]));
  if (extrapolates) y = F.add(y, tensor(extra, [out]));
  y = F.reshape(y, [...lead, out]);
  if (axis === rank - 1) return y;
  const back = new Array<number>(rank);
  perm.forEach((p, i) => (back[p] = i));
  return F.permute(y, back);
}

/** Output sizes and the scale each axis uses (given scales, or output / input for sizes). */
function geometry(ctx: OpContext, x: Tensor): { sizes: number[]; scales: number[]; roi: [number, number][] } {
  const upsample = isUpsample(ctx);
  const scalesIn = upsample ? (ctx.opType === 'Upsample' && ctx.opset < 9 ? null : ctx.constInput(1)) : ctx.constInput(2);
  const scaleAttr = ctx.opType === 'Upsample' && ctx.opset < 9 ? ctx.attrs.floats('scales') : undefined;
  const sizesIn = upsample ? undefined : ctx.constInput(3);
  const roiIn = !upsample && ctx.opset >= 11 ? ctx.constInput(1) : undefined;
  const rank = x.rank;
  const roi: [number, number][] = x.shape.map((_, i) => (roiIn && roiIn.data.length === 2 * rank ? [roiIn.data[i], roiIn.data[rank + i]] : [0, 1]));
  if (sizesIn && sizesIn.data.length > 0) {
    if (sizesIn.data.length !== rank) onnxFail(`${ctx.where}: sizes has ${sizesIn.data.length} values for rank ${rank}`);
    return { sizes: sizesIn.data.slice(), scales: sizesIn.data.map((d, i) => d / x.shape[i]), roi };
  }
  const scales = scaleAttr ?? scalesIn?.data.slice();
  if (!scales || scales.length === 0) return onnxFail(`${ctx.where}: needs scales or sizes`);
  if (scales.length !== rank) onnxFail(`${ctx.where}: scales has ${scales.length} values for rank ${rank}`);
  // ONNX's reference: floor(input × scale) (× the roi's extent for tf_crop_and_resize).
  const crop = specOf(ctx).coord === 'tf_crop_and_resize';
  const sizes = scales.map((sc, i) => Math.floor(x.shape[i] * sc * (crop ? roi[i][1] - roi[i][0] : 1) + 1e-9));
  return { sizes, scales, roi };
}

/** Where core's interpolate kernel computes exactly the reference: PyTorch's own exports. */
function coreInterpolate(x: Tensor, s: ResizeSpec, sizes: number[], scales: number[]): Tensor | null {
  if (x.rank !== 4 || sizes[0] !== x.shape[0] || sizes[1] !== x.shape[1]) return null;
  const integerScales = [2, 3].every((i) => Number.isInteger(scales[i]) && scales[i] >= 1 && sizes[i] === x.shape[i] * scales[i]);
  if (s.mode === 'nearest' && s.coord === 'asymmetric' && s.nearestMode === 'floor' && integerScales) {
    return F.interpolate(x, { size: [sizes[2], sizes[3]], mode: 'nearest' });
  }
  if (s.mode === 'linear' && integerScales) {
    if (s.coord === 'align_corners') return F.interpolate(x, { size: [sizes[2], sizes[3]], mode: 'bilinear', alignCorners: true });
    if (s.coord === 'half_pixel' || s.coord === 'pytorch_half_pixel') return F.interpolate(x, { size: [sizes[2], sizes[3]], mode: 'bilinear', alignCorners: false });
  }
  return null;
}

function resize(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  const s = specOf(ctx);
  const { sizes, scales, roi } = geometry(ctx, x);
  const fast = coreInterpolate(x, s, sizes, scales);
  if (fast) return fast;
  let y = x;
  for (let axis = 0; axis < x.rank; axis++) {
    if (sizes[axis] === x.shape[axis] && scales[axis] === 1 && s.coord !== 'tf_crop_and_resize') continue;
    y = resizeAxis(y, axis, sizes[axis], scales[axis], s, roi[axis]);
  }
  return y === x ? F.clone(x) : y;
}

export const RESIZE_OPS: Record<string, OpImpl> = {
  Resize: { run: (ctx) => [resize(ctx)], constInputs: [1, 2, 3], unsupported },
  Upsample: { run: (ctx) => [resize(ctx)], constInputs: [1], unsupported },
};
