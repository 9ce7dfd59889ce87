/**
 * Transposed convolutions. A transposed conv is a conv's input gradient (see `resolveConvTranspose2d`), so it runs on
 * the backend's `conv2dBackwardInput` and its gradients are that conv's forward and filter gradient: no new kernel.
 */
import { fail, fmt, shapeStr } from '../errors.js';
import { broadcastGeometry } from '../geometry/broadcast.js';
import { resolveConvTranspose2d, type ConvTranspose2dOptions } from '../geometry/conv-transpose.js';
import type { Tensor } from '../tensor.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { assertFloat, backendOf, makeTensor, record } from './util.js';

export type { ConvTranspose2dOptions };

/**
 * 2-D transposed convolution (torch.nn.functional.conv_transpose2d) of `input` [N, C, H, W] with `weight`
 * [C, O/groups, kH, kW] (PyTorch's layout); output [N, O, H', W'], H' = (H − 1)·S − 2P + D·(K − 1) + outputPadding + 1.
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  return convTranspose2dNamed('convTranspose2d', input, weight, bias ?? null, opts);
}

export function convTranspose2dNamed(op: string, input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTranspose2dOptions): Tensor {
  assertFloat(op, 'input', input);
  assertFloat(op, 'weight', weight);
  if (bias !== null) assertFloat(op, 'bias', bias);
  const geo = resolveConvTranspose2d(op, input.shape, weight.shape, bias?.shape ?? null, opts ?? {});
  const b = backendOf(op, input, weight, bias);
  const outShape = [geo.batch, geo.inChannels, geo.inH, geo.inW];
  const raw = makeTensor(b, b.conv2dBackwardInput(input, weight, geo), outShape);
  let y = raw;
  if (bias !== null) {
    // The bias as a [1, O, 1, 1] view of its own data, broadcast over N, H', W'.
    const biasView = { dataId: bias.dataId, shape: [1, bias.shape[0], 1, 1], dtype: bias.dtype };
    y = makeTensor(b, b.binary('add', raw, biasView, broadcastGeometry(op, outShape, biasView.shape), []), outShape);
    raw.dispose();
  }
  return record(y, op, [input, weight, bias], (dy) => [
    // The adjoint of a conv's input gradient is the conv itself; its weight gradient swaps x and dy.
    input.requiresGrad ? makeTensor(b, b.conv2d(dy, weight, null, geo), input.shape) : null,
    weight.requiresGrad ? makeTensor(b, b.conv2dBackwardFilter(dy, input, geo), weight.shape) : null,
    bias?.requiresGrad ? sum(dy, [0, 2, 3]) : null,
  ]);
}

export interface ConvTranspose1dOptions {
  stride?: number;
  padding?: number;
  outputPadding?: number;
  dilation?: number;
  groups?: number;
}

function int1d(op: string, name: string, v: unknown, min: number): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min)) fail(op, `${name} must be an integer ≥ ${min}, got ${fmt(v)}`);
}

/** The 1-D options as the 2-D ones of a height-1 image (validated first, so errors name the 1-D values). */
export function convTranspose1dAs2d(op: string, opts: ConvTranspose1dOptions): ConvTranspose2dOptions {
  const o = opts ?? {};
  int1d(op, 'stride', o.stride, 1);
  int1d(op, 'padding', o.padding, 0);
  int1d(op, 'outputPadding', o.outputPadding, 0);
  int1d(op, 'dilation', o.dilation, 1);
  const s = o.stride ?? 1;
  const d = o.dilation ?? 1;
  const p = o.outputPadding ?? 0;
  if (p >= s && p >= d) fail(op, `outputPadding must be smaller than either stride or dilation, got outputPadding ${p} with stride ${s} and dilation ${d}`);
  return { stride: [1, s], padding: [0, o.padding ?? 0], outputPadding: [0, p], dilation: [1, d], groups: o.groups };
}

/** 1-D transposed convolution of `input` [N, C, L] with `weight` [C, O/groups, K]: a 2-D one over a height-1 image. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose1dOptions = {}): Tensor {
  return convTranspose1dNamed('convTranspose1d', input, weight, bias ?? null, opts);
}

export function convTranspose1dNamed(op: string, input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTranspose1dOptions): Tensor {
  assertFloat(op, 'input', input);
  assertFloat(op, 'weight', weight);
  if (bias) assertFloat(op, 'bias', bias);
  if (input.rank !== 3) fail(op, `input must be 3-D [N, C, L], got shape ${shapeStr(input.shape)}`);
  if (weight.rank !== 3) fail(op, `weight must be 3-D [inChannels, outChannels/groups, K], got shape ${shapeStr(weight.shape)}`);
  const opts2d = convTranspose1dAs2d(op, opts);
  const xShape = [input.shape[0], input.shape[1], 1, input.shape[2]];
  const wShape = [weight.shape[0], weight.shape[1], 1, weight.shape[2]];
  // Validate before making the 4-D views, so a rejected call leaves nothing behind.
  resolveConvTranspose2d(op, xShape, wShape, bias?.shape ?? null, opts2d);
  const x4 = reshape(input, xShape);
  const w4 = reshape(weight, wShape);
  const y4 = convTranspose2dNamed(op, x4, w4, bias, opts2d);
  return reshape(y4, [y4.shape[0], y4.shape[1], y4.shape[3]]).own(x4, w4, y4);
}
