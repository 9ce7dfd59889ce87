/** Convolutions. Core resolves every hyper-parameter; non-zero padding modes become an explicit `pad` first. */
import { fail, fmt, shapeStr } from '../errors.js';
import { resolveConv2d, type Conv2dOptions, type ConvPaddingMode } from '../geometry/conv.js';
import type { Tensor } from '../tensor.js';
import { sum } from './reduce.js';
import { pad, reshape } from './shape.js';
import { assertFloat, assertTensor, backendOf, makeTensor, record } from './util.js';

export type { Conv2dOptions };

/** 2-D convolution (cross-correlation, as PyTorch) of `input` [N, C, H, W] with `weight` [O, C/groups, kH, kW]. */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  return conv2dNamed('conv2d', input, weight, bias ?? null, opts);
}

export function conv2dNamed(op: string, input: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions): Tensor {
  assertTensor(op, 'input', input);
  assertFloat(op, 'input', input);
  assertFloat(op, 'weight', weight);
  if (bias !== null) assertFloat(op, 'bias', bias);
  const { geo, prePad } = resolveConv2d(op, input.shape, weight.shape, bias?.shape ?? null, opts);
  const x = prePad ? pad(input, [prePad.left, prePad.right, prePad.top, prePad.bottom], { mode: prePad.mode }) : input;
  const b = backendOf(op, x, weight, bias);
  const y = makeTensor(b, b.conv2d(x, weight, bias, geo), [geo.batch, geo.outChannels, geo.outH, geo.outW]);
  record(y, op, [x, weight, bias], (dy) => [
    x.requiresGrad ? makeTensor(b, b.conv2dBackwardInput(dy, weight, geo), x.shape) : null,
    weight.requiresGrad ? makeTensor(b, b.conv2dBackwardFilter(x, dy, geo), weight.shape) : null,
    bias?.requiresGrad ? sum(dy, [0, 2, 3]) : null,
  ]);
  return x === input ? y : y.own(x);
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  paddingMode?: ConvPaddingMode;
}

function int1d(op: string, name: string, v: unknown, min: number): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min)) fail(op, `${name} must be an integer ≥ ${min}, got ${fmt(v)}`);
}

/** 1-D convolution of `input` [N, C, L] with `weight` [O, C/groups, K]: a conv2d over a height-1 image. */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  assertFloat('conv1d', 'input', input);
  assertFloat('conv1d', 'weight', weight);
  if (bias) assertFloat('conv1d', 'bias', bias);
  if (input.rank !== 3) fail('conv1d', `input must be 3-D [N, C, L], got shape ${shapeStr(input.shape)}`);
  if (weight.rank !== 3) fail('conv1d', `weight must be 3-D [outChannels, inChannels/groups, K], got shape ${shapeStr(weight.shape)}`);
  int1d('conv1d', 'stride', opts.stride, 1);
  int1d('conv1d', 'dilation', opts.dilation, 1);
  if (typeof opts.padding !== 'string') int1d('conv1d', 'padding', opts.padding, 0);
  if (opts.padding === 'same' && (opts.stride ?? 1) !== 1) fail('conv1d', `padding 'same' needs stride 1, got stride ${fmt(opts.stride)}`);
  const padding = typeof opts.padding === 'string' ? opts.padding : ([0, opts.padding ?? 0] as [number, number]);
  const opts2d: Conv2dOptions = { stride: [1, opts.stride ?? 1], padding, dilation: [1, opts.dilation ?? 1], groups: opts.groups, paddingMode: opts.paddingMode };
  const xShape = [input.shape[0], input.shape[1], 1, input.shape[2]];
  const wShape = [weight.shape[0], weight.shape[1], 1, weight.shape[2]];
  // Validate everything before making the 4-D views, so a rejected call leaves nothing behind.
  resolveConv2d('conv1d', xShape, wShape, bias?.shape ?? null, opts2d);
  const x4 = reshape(input, xShape);
  const w4 = reshape(weight, wShape);
  const y4 = conv2dNamed('conv1d', x4, w4, bias ?? null, opts2d);
  const y = reshape(y4, [y4.shape[0], y4.shape[1], y4.shape[3]]);
  return y.own(x4, w4, y4);
}
