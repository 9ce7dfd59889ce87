import { fail, fmt } from '../errors.js';
import { oneOf, pair, positiveInt, type Pair } from '../geometry/args.js';
import { CONV_PADDING_MODES, resolveConv2d, type ConvPaddingMode } from '../geometry/conv.js';
import { conv2dNamed } from '../ops/conv.js';
import { reshape } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { kaimingUniformDefault } from './init.js';
import { Module } from './module.js';
import { copyOptions } from './options.js';

export interface Conv2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: Pair;
  stride?: Pair;
  /** Number, pair, 'same' (stride 1 only) or 'valid'. */
  padding?: Pair | 'same' | 'valid';
  paddingMode?: ConvPaddingMode;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/** Validates a conv layer's hyper-parameters up front, so a bad layer fails when built, not on first use. */
function resolveConfig(layer: string, c: Conv2dConfig) {
  if (!c || typeof c !== 'object') fail(layer, 'expects a config object { inChannels, outChannels, kernelSize, ... }');
  const inChannels = positiveInt(layer, 'inChannels', c.inChannels, NaN);
  const outChannels = positiveInt(layer, 'outChannels', c.outChannels, NaN);
  const kernelSize = pair(layer, 'kernelSize', c.kernelSize, NaN, 1);
  const stride = pair(layer, 'stride', c.stride, 1, 1);
  const dilation = pair(layer, 'dilation', c.dilation, 1, 1);
  const groups = positiveInt(layer, 'groups', c.groups, 1);
  const paddingMode = oneOf(layer, 'paddingMode', c.paddingMode, CONV_PADDING_MODES, 'zeros');
  if (inChannels % groups !== 0) fail(layer, `groups ${groups} must divide inChannels ${inChannels}`);
  if (outChannels % groups !== 0) fail(layer, `groups ${groups} must divide outChannels ${outChannels}`);
  const padding = c.padding ?? 0;
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) fail(layer, `padding 'same' needs stride 1, got stride ${fmt(stride)}`);
  } else if (padding !== 'valid') {
    if (typeof padding === 'string') fail(layer, `padding must be a number, a pair, 'same' or 'valid', got ${fmt(padding)}`);
    pair(layer, 'padding', padding, 0, 0);
  }
  return { inChannels, outChannels, kernelSize, stride, dilation, groups, paddingMode, padding, bias: c.bias ?? true };
}

/** 2-D convolution layer over [N, C, H, W], as torch.nn.Conv2d. */
export class Conv2d extends Module {
  static readonly layerName = 'Conv2d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** The constructor's options as given (moduleConfig writes them down). */
  readonly options: Conv2dConfig;
  readonly config: Required<Omit<Conv2dConfig, 'kernelSize' | 'stride' | 'dilation' | 'padding'>> & {
    kernelSize: [number, number];
    stride: [number, number];
    dilation: [number, number];
    padding: [number, number] | 'same' | 'valid';
  };

  constructor(config: Conv2dConfig) {
    super();
    const c = resolveConfig(this.typeName, config);
    const padding = typeof c.padding === 'string' ? c.padding : pair(this.typeName, 'padding', c.padding, 0, 0);
    this.config = { ...c, padding };
    this.options = copyOptions(config);
    const [kH, kW] = c.kernelSize;
    const fanIn = (c.inChannels / c.groups) * kH * kW;
    this.weight = this.registerParameter('weight', kaimingUniformDefault([c.outChannels, c.inChannels / c.groups, kH, kW], fanIn));
    this.bias = c.bias ? this.registerParameter('bias', kaimingUniformDefault([c.outChannels], fanIn)) : null;
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups, paddingMode } = this.config;
    return conv2dNamed(this.typeName, x, this.weight, this.bias, { stride, padding, dilation, groups, paddingMode });
  }
}

export interface Conv1dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: number | 'same' | 'valid';
  paddingMode?: ConvPaddingMode;
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** 1-D convolution layer over [N, C, L], as torch.nn.Conv1d (weight [O, C/groups, K]). */
export class Conv1d extends Module {
  static readonly layerName = 'Conv1d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** The constructor's options as given. */
  readonly options: Conv1dConfig;
  private readonly opts: { stride: [number, number]; padding: [number, number] | 'same' | 'valid'; dilation: [number, number]; groups: number; paddingMode: ConvPaddingMode };

  constructor(config: Conv1dConfig) {
    super();
    const layer = this.typeName;
    for (const key of ['kernelSize', 'stride', 'dilation'] as const) {
      const v = config?.[key];
      if ((v !== undefined || key === 'kernelSize') && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) fail(layer, `${key} must be an integer ≥ 1, got ${fmt(v)}`);
    }
    const pad = config.padding;
    const c = resolveConfig(layer, {
      ...config,
      kernelSize: [1, config.kernelSize],
      stride: [1, config.stride ?? 1],
      dilation: [1, config.dilation ?? 1],
      padding: typeof pad === 'string' ? pad : [0, pad ?? 0],
    });
    const k = c.kernelSize[1];
    const fanIn = (c.inChannels / c.groups) * k;
    this.weight = this.registerParameter('weight', kaimingUniformDefault([c.outChannels, c.inChannels / c.groups, k], fanIn));
    this.bias = c.bias ? this.registerParameter('bias', kaimingUniformDefault([c.outChannels], fanIn)) : null;
    this.options = copyOptions(config);
    this.opts = { stride: c.stride, dilation: c.dilation, groups: c.groups, paddingMode: c.paddingMode, padding: typeof c.padding === 'string' ? c.padding : pair(layer, 'padding', c.padding, 0, 0) };
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 3) fail(this.typeName, `input must be 3-D [N, C, L], got shape [${x.shape.join(', ')}]`);
    const xShape = [x.shape[0], x.shape[1], 1, x.shape[2]];
    const wShape = [this.weight.shape[0], this.weight.shape[1], 1, this.weight.shape[2]];
    resolveConv2d(this.typeName, xShape, wShape, this.bias?.shape ?? null, this.opts); // validate before making views
    const x4 = reshape(x, xShape);
    const w4 = reshape(this.weight, wShape);
    const y4 = conv2dNamed(this.typeName, x4, w4, this.bias, this.opts);
    return reshape(y4, [y4.shape[0], y4.shape[1], y4.shape[3]]).own(x4, w4, y4);
  }
}

export interface DepthwiseSeparableConv2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: Pair;
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  paddingMode?: ConvPaddingMode;
  dilation?: Pair;
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
  bias?: boolean;
}

/** A depthwise convolution (groups = inChannels) followed by a 1×1 pointwise convolution (MobileNet's block). */
export class DepthwiseSeparableConv2d extends Module {
  static readonly layerName = 'DepthwiseSeparableConv2d';
  readonly depthwise: Conv2d;
  readonly pointwise: Conv2d;
  /** The constructor's options as given. */
  readonly options: DepthwiseSeparableConv2dConfig;

  constructor(c: DepthwiseSeparableConv2dConfig) {
    super();
    if (!c || typeof c !== 'object') fail(this.typeName, 'expects a config object { inChannels, outChannels, kernelSize, ... }');
    this.options = copyOptions(c);
    const mult = positiveInt(this.typeName, 'depthMultiplier', c.depthMultiplier, 1);
    const inChannels = positiveInt(this.typeName, 'inChannels', c.inChannels, NaN);
    this.depthwise = this.registerModule('depthwise', new Conv2d({
      inChannels, outChannels: inChannels * mult, kernelSize: c.kernelSize, stride: c.stride, padding: c.padding,
      paddingMode: c.paddingMode, dilation: c.dilation, groups: inChannels, bias: c.bias,
    }));
    this.pointwise = this.registerModule('pointwise', new Conv2d({ inChannels: inChannels * mult, outChannels: c.outChannels, kernelSize: 1, bias: c.bias }));
  }

  forward(x: Tensor): Tensor {
    const d = this.depthwise.forward(x);
    return this.pointwise.forward(d).own(d);
  }
}

export interface SpatialSeparableConv2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: number;
  paddingMode?: ConvPaddingMode;
  bias?: boolean;
}

/** A k×1 convolution (inChannels → outChannels) followed by a 1×k convolution (outChannels → outChannels): the
 * factorised k×k convolution of Inception-v3. Stride and padding apply to each spatial axis in its own step. */
export class SpatialSeparableConv2d extends Module {
  static readonly layerName = 'SpatialSeparableConv2d';
  readonly vertical: Conv2d;
  readonly horizontal: Conv2d;
  /** The constructor's options as given. */
  readonly options: SpatialSeparableConv2dConfig;

  constructor(c: SpatialSeparableConv2dConfig) {
    super();
    if (!c || typeof c !== 'object') fail(this.typeName, 'expects a config object { inChannels, outChannels, kernelSize, ... }');
    this.options = copyOptions(c);
    const k = positiveInt(this.typeName, 'kernelSize', c.kernelSize, NaN);
    const s = positiveInt(this.typeName, 'stride', c.stride, 1);
    const p = c.padding ?? 0;
    if (!Number.isInteger(p) || p < 0) fail(this.typeName, `padding must be an integer ≥ 0, got ${fmt(p)}`);
    this.vertical = this.registerModule('vertical', new Conv2d({
      inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: [k, 1], stride: [s, 1], padding: [p, 0], paddingMode: c.paddingMode, bias: c.bias,
    }));
    this.horizontal = this.registerModule('horizontal', new Conv2d({
      inChannels: c.outChannels, outChannels: c.outChannels, kernelSize: [1, k], stride: [1, s], padding: [0, p], paddingMode: c.paddingMode, bias: c.bias,
    }));
  }

  forward(x: Tensor): Tensor {
    const v = this.vertical.forward(x);
    return this.horizontal.forward(v).own(v);
  }
}

