/** Convolutions, pooling, normalisation, dropout, Gemm / MatMul and Resize onto core's F ops. */
import { F, type Tensor } from '@cnn/core';
import { onnxFail } from '../errors.js';
import { optionalTensor, requireTensor, type OpContext, type OpImpl } from './context.js';

function require4d(ctx: OpContext, x: Tensor): void {
  if (x.rank !== 4) onnxFail(`${ctx.where}: only 2-D spatial inputs [N, C, H, W] are supported, got shape [${x.shape.join(', ')}]`);
}

function pair(ctx: OpContext, name: string, fallback: number): [number, number] {
  const v = ctx.attrs.ints(name);
  if (!v) return [fallback, fallback];
  if (v.length !== 2) onnxFail(`${ctx.where}: ${name} must have 2 values for a 2-D operator, got [${v.join(', ')}]`);
  return [v[0], v[1]];
}

/** Pads [top, left, bottom, right] from `pads` or `auto_pad` (SAME_UPPER puts the odd pixel at the end). */
function spatialPads(ctx: OpContext, inHW: readonly number[], kernel: [number, number], stride: [number, number], dilation: [number, number]): number[] {
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < 2; i++) {
      const out = Math.ceil(inHW[i] / stride[i]);
      const total = Math.max(0, (out - 1) * stride[i] + (kernel[i] - 1) * dilation[i] + 1 - inHW[i]);
      const small = Math.floor(total / 2);
      before.push(autoPad === 'SAME_UPPER' ? small : total - small);
      after.push(total - before[i]);
    }
    return [before[0], before[1], after[0], after[1]];
  }
  if (autoPad !== 'NOTSET') onnxFail(`${ctx.where}: unknown auto_pad '${autoPad}'`);
  const pads = ctx.attrs.ints('pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4) onnxFail(`${ctx.where}: pads must have 4 values for a 2-D operator, got [${pads.join(', ')}]`);
  return pads;
}

const symmetric = (p: number[]): boolean => p[0] === p[2] && p[1] === p[3];

function conv(ctx: OpContext): Tensor {
  let x = requireTensor(ctx, 0);
  const w = requireTensor(ctx, 1);
  require4d(ctx, x);
  const kernel: [number, number] = [w.shape[2], w.shape[3]];
  const stride = pair(ctx, 'strides', 1);
  const dilation = pair(ctx, 'dilations', 1);
  const pads = spatialPads(ctx, x.shape.slice(2), kernel, stride, dilation);
  let padding: [number, number] = [pads[0], pads[1]];
  if (!symmetric(pads)) {
    // Core's conv pads symmetrically; an uneven pad (SAME_UPPER, TensorFlow exports) is an explicit zero pad first.
    x = F.pad(x, [pads[1], pads[3], pads[0], pads[2]]);
    padding = [0, 0];
  }
  return F.conv2d(x, w, optionalTensor(ctx, 2), { stride, padding, dilation, groups: ctx.attrs.int('group', 1) });
}

function convTranspose(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  const w = requireTensor(ctx, 1);
  require4d(ctx, x);
  if (ctx.attrs.has('output_shape')) onnxFail(`${ctx.where}: the output_shape attribute is not supported (give pads and output_padding)`);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') onnxFail(`${ctx.where}: auto_pad '${autoPad}' is not supported for ConvTranspose`);
  const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : (ctx.attrs.ints('pads') ?? [0, 0, 0, 0]);
  const opts = { stride: pair(ctx, 'strides', 1), dilation: pair(ctx, 'dilations', 1), outputPadding: pair(ctx, 'output_padding', 0), groups: ctx.attrs.int('group', 1) };
  const bias = optionalTensor(ctx, 2);
  if (symmetric(pads)) return F.convTranspose2d(x, w, bias, { ...opts, padding: [pads[0], pads[1]] });
  // Uneven pads crop the full output unevenly: run unpadded, then slice.
  const full = F.convTranspose2d(x, w, bias, { ...opts, padding: [0, 0] });
  const [h, wd] = full.shape.slice(2);
  return F.slice(F.slice(full, 2, pads[0], h - pads[2]), 3, pads[1], wd - pads[3]);
}

function pool(ctx: OpContext, mode: 'max' | 'avg'): Tensor {
  let x = requireTensor(ctx, 0);
  require4d(ctx, x);
  if (ctx.numOutputs > 1) onnxFail(`${ctx.where}: the Indices output of MaxPool is not supported`);
  const kernel = pair(ctx, 'kernel_shape', 0);
  if (!kernel[0] || !kernel[1]) onnxFail(`${ctx.where}: kernel_shape is required`);
  // ONNX's default stride is 1 (PyTorch's is the kernel size).
  const stride = pair(ctx, 'strides', 1);
  const dilation = pair(ctx, 'dilations', 1);
  const pads = spatialPads(ctx, x.shape.slice(2), kernel, stride, dilation);
  const ceilMode = ctx.attrs.int('ceil_mode', 0) === 1;
  const countIncludePad = ctx.attrs.int('count_include_pad', 0) === 1;
  let padding: [number, number] = [pads[0], pads[1]];
  const fits = pads[0] <= kernel[0] / 2 && pads[1] <= kernel[1] / 2;
  if (!symmetric(pads) || !fits) {
    if (mode === 'avg' && !countIncludePad) onnxFail(`${ctx.where}: uneven pads [${pads.join(', ')}] with count_include_pad 0 are not supported`);
    // Padding max pooling with -∞ (average pooling with zeros that count) is the same as the pooling's own padding.
    x = F.pad(x, [pads[1], pads[3], pads[0], pads[2]], { value: mode === 'max' ? -Infinity : 0 });
    padding = [0, 0];
  }
  if (mode === 'max') return F.maxPool2d(x, { kernelSize: kernel, stride, padding, dilation, ceilMode });
  if (dilation[0] !== 1 || dilation[1] !== 1) onnxFail(`${ctx.where}: dilated average pooling is not supported`);
  return F.avgPool2d(x, { kernelSize: kernel, stride, padding, ceilMode, countIncludePad });
}

function batchNormalization(ctx: OpContext): Tensor[] {
  const x = requireTensor(ctx, 0);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => requireTensor(ctx, i));
  const eps = ctx.attrs.float('epsilon', 1e-5);
  // ONNX's momentum weighs the old running value (default 0.9); PyTorch's, the new batch statistic.
  const momentum = 1 - ctx.attrs.float('momentum', 0.9);
  const y = F.batchNorm(x, mean, variance, scale, bias, { training: ctx.training, momentum, eps });
  return ctx.numOutputs > 1 ? [y, mean, variance] : [y];
}

function dropout(ctx: OpContext): Tensor[] {
  const x = requireTensor(ctx, 0);
  if (ctx.numOutputs > 1) onnxFail(`${ctx.where}: the mask output of Dropout is not supported`);
  const ratio = ctx.opset >= 12 ? (ctx.constInput(1)?.data[0] ?? 0.5) : ctx.attrs.float('ratio', 0.5);
  // The module's train() / eval() decides, as PyTorch's nn.Dropout; the graph's training_mode input is ignored.
  return [ctx.training && ratio > 0 ? F.dropout(x, ratio, true) : x];
}

function gemm(ctx: OpContext): Tensor {
  const a = requireTensor(ctx, 0);
  const b = requireTensor(ctx, 1);
  const c = optionalTensor(ctx, 2);
  const transA = ctx.attrs.int('transA', 0) === 1;
  const transB = ctx.attrs.int('transB', 0) === 1;
  const alpha = ctx.attrs.float('alpha', 1);
  const beta = ctx.attrs.float('beta', 1);
  // PyTorch's Linear is Gemm(transB = 1): core's linear, one kernel.
  if (!transA && transB && alpha === 1 && (beta === 1 || !c)) return F.linear(a, b, c);
  let y = F.matmul(transA ? F.transpose(a, 0, 1) : a, transB ? F.transpose(b, 0, 1) : b);
  if (alpha !== 1) y = F.mul(y, alpha);
  if (c) y = F.add(y, beta === 1 ? c : F.mul(c, beta));
  return y;
}

/** Resize (opset 10+) and Upsample (opset 9): nearest with floor rounding and asymmetric coordinates (what
 * PyTorch's nearest writes), linear with half_pixel / pytorch_half_pixel / align_corners (bilinear). */
function resize(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  require4d(ctx, x);
  const upsample = ctx.opType === 'Upsample' || ctx.opset < 11;
  const scales = upsample ? ctx.constInput(1) : ctx.constInput(2);
  const sizes = upsample ? undefined : ctx.constInput(3);
  const mode = ctx.attrs.string('mode', 'nearest');
  const coord = upsample ? 'asymmetric' : ctx.attrs.string('coordinate_transformation_mode', 'half_pixel');
  const nearestMode = upsample ? 'floor' : ctx.attrs.string('nearest_mode', 'round_prefer_floor');
  if (!upsample && ctx.attrs.has('axes')) onnxFail(`${ctx.where}: the axes attribute is not supported`);
  let options: F.InterpolateOptions;
  if (sizes && sizes.data.length > 0) {
    if (sizes.data[0] !== x.shape[0] || sizes.data[1] !== x.shape[1]) onnxFail(`${ctx.where}: only H and W may be resized, got sizes [${sizes.data.join(', ')}]`);
    options = { size: [sizes.data[2], sizes.data[3]] };
  } else if (scales && scales.data.length > 0) {
    if (scales.data[0] !== 1 || scales.data[1] !== 1) onnxFail(`${ctx.where}: only H and W may be resized, got scales [${scales.data.join(', ')}]`);
    options = { scaleFactor: [scales.data[2], scales.data[3]] };
  } else {
    return onnxFail(`${ctx.where}: needs scales or sizes`);
  }
  if (mode === 'nearest') {
    // Integer factors make every nearest_mode agree with floor on asymmetric coordinates only.
    if (coord !== 'asymmetric' || nearestMode !== 'floor') {
      onnxFail(`${ctx.where}: nearest resize with coordinate_transformation_mode '${coord}' and nearest_mode '${nearestMode}' is not supported (supported: asymmetric + floor, as PyTorch writes)`);
    }
    return F.interpolate(x, { ...options, mode: 'nearest' });
  }
  if (mode === 'linear') {
    if (coord === 'align_corners') return F.interpolate(x, { ...options, mode: 'bilinear', alignCorners: true });
    if (coord === 'half_pixel' || coord === 'pytorch_half_pixel') return F.interpolate(x, { ...options, mode: 'bilinear', alignCorners: false });
    onnxFail(`${ctx.where}: linear resize with coordinate_transformation_mode '${coord}' is not supported`);
  }
  return onnxFail(`${ctx.where}: resize mode '${mode}' is not supported (nearest, linear)`);
}

export const NN_OPS: Record<string, OpImpl> = {
  Conv: { run: (ctx) => [conv(ctx)] },
  ConvTranspose: { run: (ctx) => [convTranspose(ctx)] },
  MaxPool: { run: (ctx) => [pool(ctx, 'max')] },
  AveragePool: { run: (ctx) => [pool(ctx, 'avg')] },
  GlobalAveragePool: { run: (ctx) => [F.mean(requireTensor(ctx, 0), [2, 3], true)] },
  GlobalMaxPool: { run: (ctx) => [F.max(requireTensor(ctx, 0), [2, 3], true)] },
  BatchNormalization: { run: batchNormalization },
  Dropout: { run: dropout, constInputs: [1, 2] },
  Gemm: { run: (ctx) => [gemm(ctx)] },
  MatMul: { run: (ctx) => [F.matmul(requireTensor(ctx, 0), requireTensor(ctx, 1))] },
  Resize: { run: (ctx) => [resize(ctx)], constInputs: [1, 2, 3] },
  Upsample: { run: (ctx) => [resize(ctx)], constInputs: [1] },
};
