/** Convolutions, pooling, normalisation, dropout, Gemm / MatMul and Resize onto core's F ops. */
import { F, tensor, type Tensor } from '@cnn/core';
import { onnxFail, unsupportedFail } from '../errors.js';
import { makeConst, type Value } from '../values.js';
import { optionalTensor, requireTensor, type NodeInfo, type OpContext, type OpImpl } from './context.js';

/** Spatial operators run 2-D kernels: a 1-D input [N, C, L] is [N, C, 1, L]; 3-D and beyond are out of scope. */
function spatialRankProblem(rank: number | undefined): string | undefined {
  return rank === undefined || rank === 3 || rank === 4 ? undefined : `${rank - 2}-D spatial input (rank ${rank}; 1-D and 2-D are supported)`;
}

function spatialUnsupported(node: NodeInfo): string | undefined {
  return spatialRankProblem(node.rank(0));
}

/** x as [N, C, H, W] (a 1-D input gains H = 1), and whether it was 1-D. */
function as2d(ctx: OpContext, x: Tensor): [Tensor, boolean] {
  const problem = spatialRankProblem(x.rank);
  if (problem || x.rank < 3) unsupportedFail(ctx.where, ctx.opType, problem ?? `input of rank ${x.rank}`);
  return x.rank === 3 ? [F.unsqueeze(x, 2), true] : [x, false];
}

const back1d = (y: Tensor, oneD: boolean): Tensor => (oneD ? F.squeeze(y, 2) : y);

/** A per-axis attribute for the 2-D kernel: one value per spatial axis (1-D gets `neutral` for H). */
function pair(ctx: OpContext, name: string, fallback: number, oneD: boolean, neutral = fallback): [number, number] {
  const v = ctx.attrs.ints(name);
  if (!v) return [oneD ? neutral : fallback, fallback];
  const n = oneD ? 1 : 2;
  if (v.length !== n) onnxFail(`${ctx.where}: ${name} must have ${n} value${n > 1 ? 's' : ''}, got [${v.join(', ')}]`);
  return oneD ? [neutral, v[0]] : [v[0], v[1]];
}

/** Pads [top, left, bottom, right] from `pads` or `auto_pad` (SAME_UPPER puts the odd pixel at the end). */
function spatialPads(ctx: OpContext, inHW: readonly number[], kernel: [number, number], stride: [number, number], dilation: [number, number], oneD: boolean): number[] {
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
  const pads = ctx.attrs.ints('pads') ?? (oneD ? [0, 0] : [0, 0, 0, 0]);
  if (pads.length !== (oneD ? 2 : 4)) onnxFail(`${ctx.where}: pads must have ${oneD ? 2 : 4} values, got [${pads.join(', ')}]`);
  return oneD ? [0, pads[0], 0, pads[1]] : pads;
}

const symmetric = (p: number[]): boolean => p[0] === p[2] && p[1] === p[3];

function conv(ctx: OpContext): Tensor {
  const [input, oneD] = as2d(ctx, requireTensor(ctx, 0));
  let x = input;
  let w = requireTensor(ctx, 1);
  if (oneD) w = F.unsqueeze(w, 2);
  const kernel: [number, number] = [w.shape[2], w.shape[3]];
  const stride = pair(ctx, 'strides', 1, oneD);
  const dilation = pair(ctx, 'dilations', 1, oneD);
  const pads = spatialPads(ctx, x.shape.slice(2), kernel, stride, dilation, oneD);
  let padding: [number, number] = [pads[0], pads[1]];
  if (!symmetric(pads)) {
    // Core's conv pads symmetrically; an uneven pad (SAME_UPPER, TensorFlow exports) is an explicit zero pad first.
    x = F.pad(x, [pads[1], pads[3], pads[0], pads[2]]);
    padding = [0, 0];
  }
  return back1d(F.conv2d(x, w, optionalTensor(ctx, 2), { stride, padding, dilation, groups: ctx.attrs.int('group', 1) }), oneD);
}

/**
 * ConvTranspose with pads, auto_pad or output_shape (ONNX's formulas: total padding = stride·(in − 1) +
 * output_padding + (kernel − 1)·dilation + 1 − output size). Symmetric pads run in core's kernel; otherwise the full
 * (unpadded) output is cropped, or zero-extended where the padding is negative, and the bias added after.
 */
function convTranspose(ctx: OpContext): Tensor {
  const [x, oneD] = as2d(ctx, requireTensor(ctx, 0));
  let w = requireTensor(ctx, 1);
  if (oneD) w = F.unsqueeze(w, 2);
  const stride = pair(ctx, 'strides', 1, oneD);
  const dilation = pair(ctx, 'dilations', 1, oneD);
  const outputPadding = pair(ctx, 'output_padding', 0, oneD);
  const groups = ctx.attrs.int('group', 1);
  const kernel = [w.shape[2], w.shape[3]];
  const inHW = x.shape.slice(2);
  const full = [0, 1].map((i) => stride[i] * (inHW[i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilation[i] + 1);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  let outShape = ctx.attrs.ints('output_shape');
  if (outShape) outShape = outShape.slice(-(oneD ? 1 : 2));
  if (oneD && outShape) outShape = [1, outShape[0]];
  let pads: number[];
  if (outShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const target = outShape ?? [0, 1].map((i) => inHW[i] * stride[i]);
    const total = [0, 1].map((i) => full[i] - target[i]);
    // The odd cell of padding goes at the end (SAME_LOWER: at the start); a negative total (an output_shape larger
    // than the full output) extends at the end, as ONNX's reference and ONNX Runtime do (C's truncating division).
    const lower = autoPad === 'SAME_LOWER';
    const begin = total.map((t) => (lower ? t - Math.trunc(t / 2) : Math.trunc(t / 2)));
    pads = [begin[0], begin[1], total[0] - begin[0], total[1] - begin[1]];
  } else if (autoPad === 'NOTSET' || autoPad === 'VALID') {
    const given = autoPad === 'VALID' ? null : ctx.attrs.ints('pads');
    pads = given ? (oneD ? [0, given[0], 0, given[1]] : given) : [0, 0, 0, 0];
  } else {
    return onnxFail(`${ctx.where}: unknown auto_pad '${autoPad}'`);
  }
  const bias = optionalTensor(ctx, 2);
  const opts = { stride, dilation, groups };
  if (symmetric(pads) && pads.every((p) => p >= 0) && outputPadding.every((p, i) => p < Math.max(stride[i], dilation[i]))) {
    return back1d(F.convTranspose2d(x, w, bias, { ...opts, outputPadding, padding: [pads[0], pads[1]] }), oneD);
  }
  // Uneven or negative pads: the full output without output_padding, then crop (pad > 0) or zero-extend (pad < 0).
  let y = F.convTranspose2d(x, w, null, { ...opts, padding: [0, 0] });
  const endH = pads[2] - outputPadding[0];
  const endW = pads[3] - outputPadding[1];
  const crop = (p: number): number => Math.max(0, p);
  const [h, wd] = y.shape.slice(2);
  y = F.slice(F.slice(y, 2, crop(pads[0]), h - crop(endH)), 3, crop(pads[1]), wd - crop(endW));
  const extend = [pads[1], endW, pads[0], endH].map((p) => Math.max(0, -p));
  if (extend.some((p) => p > 0)) y = F.pad(y, extend);
  if (bias) y = F.add(y, F.reshape(bias, [1, bias.shape[0], 1, 1]));
  return back1d(y, oneD);
}

function poolUnsupported(node: NodeInfo): string | undefined {
  if (node.numOutputs > 1) return 'the Indices output';
  if (node.attrs.int('storage_order', 0) !== 0) return 'storage_order 1';
  return spatialRankProblem(node.rank(0));
}

/** Max or average pooling. Pads beyond what core's kernel takes (uneven, or more than half the kernel) are explicit:
 * −∞ for max; for average, zeros, with count_include_pad 0 dividing by the same pooling of a mask of ones. */
function pool(ctx: OpContext, mode: 'max' | 'avg'): Tensor {
  const input = requireTensor(ctx, 0);
  // Integer inputs (uint8 images) pool exactly in float32 below 2^24.
  const integer = input.dtype !== 'float32';
  const [x2d, oneD] = as2d(ctx, integer ? F.cast(input, 'float32') : input);
  let x = x2d;
  const kernel = pair(ctx, 'kernel_shape', 0, oneD, 1);
  if (!kernel[0] || !kernel[1]) onnxFail(`${ctx.where}: kernel_shape is required`);
  // ONNX's default stride is 1 (PyTorch's is the kernel size).
  const stride = pair(ctx, 'strides', 1, oneD);
  const dilation = pair(ctx, 'dilations', 1, oneD);
  const pads = spatialPads(ctx, x.shape.slice(2), kernel, stride, dilation, oneD);
  const ceilMode = ctx.attrs.int('ceil_mode', 0) === 1;
  const countIncludePad = ctx.attrs.int('count_include_pad', 0) === 1;
  let padding: [number, number] = [pads[0], pads[1]];
  const fits = pads[0] <= kernel[0] / 2 && pads[1] <= kernel[1] / 2;
  let y: Tensor;
  if (mode === 'max') {
    if (!symmetric(pads) || !fits) {
      // Padding max pooling with −∞ is the same as the pooling's own padding.
      x = F.pad(x, [pads[1], pads[3], pads[0], pads[2]], { value: -Infinity });
      padding = [0, 0];
    }
    y = F.maxPool2d(x, { kernelSize: kernel, stride, padding, dilation, ceilMode });
  } else {
    if (dilation[0] !== 1 || dilation[1] !== 1) unsupportedFail(ctx.where, ctx.opType, 'dilations (dilated average pooling)');
    if (symmetric(pads) && fits) {
      y = F.avgPool2d(x, { kernelSize: kernel, stride, padding, ceilMode, countIncludePad });
    } else {
      const explicit = [pads[1], pads[3], pads[0], pads[2]];
      const opts = { kernelSize: kernel, stride, padding: [0, 0] as [number, number], ceilMode, countIncludePad: true };
      y = F.avgPool2d(F.pad(x, explicit), opts);
      if (!countIncludePad) {
        // Average over the real pixels only: the same windows over a mask of ones give their share of the window.
        const ones = tensor(new Float32Array(x.shape[2] * x.shape[3]).fill(1), [1, 1, x.shape[2], x.shape[3]]);
        y = F.div(y, F.avgPool2d(F.pad(ones, explicit), opts));
      }
    }
  }
  y = back1d(y, oneD);
  return integer ? F.cast(y, input.dtype) : y;
}

function batchNormalization(ctx: OpContext): Value[] {
  const x = requireTensor(ctx, 0);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => requireTensor(ctx, i));
  const eps = ctx.attrs.float('epsilon', 1e-5);
  // ONNX's momentum weighs the old running value (default 0.9); PyTorch's, the new batch statistic.
  const onnxMomentum = ctx.attrs.float('momentum', 0.9);
  let extra: Tensor[] = [];
  if (ctx.numOutputs > 1) {
    if (ctx.training) {
      // ONNX's running_mean / running_var outputs (biased batch variance), computed before core updates the
      // module's buffers in place the PyTorch way (unbiased variance).
      const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
      const bm = F.mean(x, axes, true);
      const centred = F.sub(x, bm);
      const bv = F.reshape(F.mean(F.mul(centred, centred), axes), [x.shape[1]]);
      const blend = (run: Tensor, batch: Tensor): Tensor => F.add(F.mul(run, onnxMomentum), F.mul(batch, 1 - onnxMomentum));
      extra = [blend(mean, F.reshape(bm, [x.shape[1]])), blend(variance, bv)];
    } else {
      extra = [F.clone(mean), F.clone(variance)];
    }
  }
  const y = F.batchNorm(x, mean, variance, scale, bias, { training: ctx.training, momentum: 1 - onnxMomentum, eps });
  return [y, ...extra].slice(0, Math.max(1, Math.min(3, ctx.numOutputs)));
}

function dropout(ctx: OpContext): Value[] {
  const x = requireTensor(ctx, 0);
  const ratio = ctx.opset >= 12 ? (ctx.constInput(1)?.data[0] ?? 0.5) : ctx.attrs.float('ratio', 0.5);
  // The module's train() / eval() decides, as PyTorch's nn.Dropout; the graph's training_mode input is ignored.
  const drops = ctx.training && ratio > 0;
  if (ctx.numOutputs > 1) {
    if (drops) unsupportedFail(ctx.where, ctx.opType, 'the mask output in training mode');
    // Nothing dropped: the mask is all true.
    return [F.clone(x), makeConst('int', x.shape, new Array<number>(x.size).fill(1))];
  }
  return [drops ? F.dropout(x, ratio, true) : x];
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
  if (!transA && transB && alpha === 1 && (!c || (beta === 1 && c.rank === 1 && c.shape[0] === b.shape[0]))) return F.linear(a, b, c);
  let y = F.matmul(transA ? F.transpose(a, 0, 1) : a, transB ? F.transpose(b, 0, 1) : b);
  if (alpha !== 1) y = F.mul(y, alpha);
  if (c) y = F.add(y, beta === 1 ? c : F.mul(c, beta));
  return y;
}

export const NN_OPS: Record<string, OpImpl> = {
  Conv: { run: (ctx) => [conv(ctx)], unsupported: spatialUnsupported },
  ConvTranspose: { run: (ctx) => [convTranspose(ctx)], unsupported: spatialUnsupported },
  MaxPool: { run: (ctx) => [pool(ctx, 'max')], unsupported: poolUnsupported },
  AveragePool: { run: (ctx) => [pool(ctx, 'avg')], unsupported: poolUnsupported },
  GlobalAveragePool: { run: (ctx) => [F.mean(requireTensor(ctx, 0), [2, 3], true)] },
  GlobalMaxPool: { run: (ctx) => [F.max(requireTensor(ctx, 0), [2, 3], true)] },
  BatchNormalization: { run: batchNormalization },
  Dropout: { run: dropout, constInputs: [1, 2] },
  Gemm: { run: (ctx) => [gemm(ctx)] },
  MatMul: { run: (ctx) => [F.matmul(requireTensor(ctx, 0), requireTensor(ctx, 1))] },
};
