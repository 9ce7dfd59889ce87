/** Transposed convolution layers (torch.nn.ConvTranspose2d / ConvTranspose1d) and upsampling (torch.nn.Upsample). */
import { fail, fmt } from '../errors.js';
import { pair, positiveInt, type Pair } from '../geometry/args.js';
import { outputPaddingFor } from '../geometry/conv-transpose.js';
import { checkInterpolateOptions, type InterpolateOptions } from '../geometry/interpolate.js';
import { convTranspose1dAs2d, convTranspose1dNamed, convTranspose2dNamed } from '../ops/conv-transpose.js';
import { interpolateNamed } from '../ops/interpolate.js';
import type { Tensor } from '../tensor.js';
import { kaimingUniformDefault } from './init.js';
import { Module } from './module.js';
import { copyOptions } from './options.js';

export interface ConvTranspose2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: Pair;
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  groups?: number;
  bias?: boolean;
  dilation?: Pair;
  /** Only 'zeros', as in PyTorch. */
  paddingMode?: 'zeros';
}

function checkChannels(layer: string, c: { inChannels: number; outChannels: number; groups?: number; paddingMode?: string }) {
  if (!c || typeof c !== 'object') fail(layer, 'expects a config object { inChannels, outChannels, kernelSize, ... }');
  const inChannels = positiveInt(layer, 'inChannels', c.inChannels, NaN);
  const outChannels = positiveInt(layer, 'outChannels', c.outChannels, NaN);
  const groups = positiveInt(layer, 'groups', c.groups, 1);
  if (inChannels % groups !== 0) fail(layer, `groups ${groups} must divide inChannels ${inChannels}`);
  if (outChannels % groups !== 0) fail(layer, `groups ${groups} must divide outChannels ${outChannels}`);
  if (c.paddingMode !== undefined && c.paddingMode !== 'zeros') fail(layer, `paddingMode must be 'zeros' (the only mode of a transposed conv), got ${fmt(c.paddingMode)}`);
  return { inChannels, outChannels, groups };
}

/** outputSize as PyTorch takes it: the spatial sizes, optionally preceded by N and C (those are ignored). */
function spatialSize(layer: string, outputSize: number | readonly number[], dims: number): number[] {
  const list = typeof outputSize === 'number' ? [outputSize] : Array.isArray(outputSize) ? [...outputSize] : null;
  if (!list || (list.length !== dims && list.length !== dims + 2) || !list.every((v) => Number.isInteger(v))) {
    fail(layer, `outputSize must be ${dims} integers (or ${dims + 2} with N and C first), got ${fmt(outputSize)}`);
  }
  return list.slice(list.length - dims);
}

/** 2-D transposed convolution layer over [N, C, H, W], as torch.nn.ConvTranspose2d (weight [C, O/groups, kH, kW]). */
export class ConvTranspose2d extends Module {
  static readonly layerName = 'ConvTranspose2d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** The constructor's options as given (moduleConfig writes them down). */
  readonly options: ConvTranspose2dConfig;
  readonly config: {
    inChannels: number; outChannels: number; kernelSize: [number, number]; stride: [number, number]; padding: [number, number];
    outputPadding: [number, number]; groups: number; bias: boolean; dilation: [number, number]; paddingMode: 'zeros';
  };

  constructor(config: ConvTranspose2dConfig) {
    super();
    const layer = this.typeName;
    const { inChannels, outChannels, groups } = checkChannels(layer, config);
    const kernelSize = pair(layer, 'kernelSize', config.kernelSize, NaN, 1);
    const stride = pair(layer, 'stride', config.stride, 1, 1);
    const padding = pair(layer, 'padding', config.padding, 0, 0);
    const outputPadding = pair(layer, 'outputPadding', config.outputPadding, 0, 0);
    const dilation = pair(layer, 'dilation', config.dilation, 1, 1);
    if ((outputPadding[0] >= stride[0] && outputPadding[0] >= dilation[0]) || (outputPadding[1] >= stride[1] && outputPadding[1] >= dilation[1])) {
      fail(layer, `outputPadding must be smaller than either stride or dilation, got outputPadding ${fmt(outputPadding)} with stride ${fmt(stride)} and dilation ${fmt(dilation)}`);
    }
    this.config = { inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias: config.bias ?? true, dilation, paddingMode: 'zeros' };
    this.options = copyOptions(config);
    const [kH, kW] = kernelSize;
    // PyTorch's fan-in of this weight layout is weight.shape[1]·kH·kW = (outChannels/groups)·kH·kW.
    const fanIn = (outChannels / groups) * kH * kW;
    this.weight = this.registerParameter('weight', kaimingUniformDefault([inChannels, outChannels / groups, kH, kW], fanIn));
    this.bias = this.config.bias ? this.registerParameter('bias', kaimingUniformDefault([outChannels], fanIn)) : null;
  }

  /** `outputSize` ([oH, oW], or [N, C, oH, oW]) picks the outputPadding that reaches it, as PyTorch's `output_size`. */
  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    const { stride, padding, dilation, groups, kernelSize } = this.config;
    let outputPadding: [number, number] = this.config.outputPadding;
    if (outputSize !== undefined && outputSize !== null) {
      if (x?.rank !== 4) fail(this.typeName, `input must be 4-D [N, C, H, W], got shape ${fmt(x?.shape)}`);
      const size = spatialSize(this.typeName, outputSize, 2);
      const op = outputPaddingFor(this.typeName, x.shape.slice(2), size, kernelSize, stride, padding, dilation);
      outputPadding = [op[0], op[1]];
    }
    return convTranspose2dNamed(this.typeName, x, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups });
  }
}

export interface ConvTranspose1dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: number;
  outputPadding?: number;
  groups?: number;
  bias?: boolean;
  dilation?: number;
  paddingMode?: 'zeros';
}

/** 1-D transposed convolution layer over [N, C, L], as torch.nn.ConvTranspose1d (weight [C, O/groups, K]). */
export class ConvTranspose1d extends Module {
  static readonly layerName = 'ConvTranspose1d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** The constructor's options as given. */
  readonly options: ConvTranspose1dConfig;
  readonly config: Required<Omit<ConvTranspose1dConfig, 'paddingMode'>> & { paddingMode: 'zeros' };

  constructor(config: ConvTranspose1dConfig) {
    super();
    const layer = this.typeName;
    const { inChannels, outChannels, groups } = checkChannels(layer, config);
    const k = config.kernelSize;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) fail(layer, `kernelSize must be an integer ≥ 1, got ${fmt(k)}`);
    convTranspose1dAs2d(layer, config); // stride, padding, outputPadding, dilation
    this.config = {
      inChannels, outChannels, kernelSize: k, stride: config.stride ?? 1, padding: config.padding ?? 0,
      outputPadding: config.outputPadding ?? 0, groups, bias: config.bias ?? true, dilation: config.dilation ?? 1, paddingMode: 'zeros',
    };
    this.options = copyOptions(config);
    const fanIn = (outChannels / groups) * k;
    this.weight = this.registerParameter('weight', kaimingUniformDefault([inChannels, outChannels / groups, k], fanIn));
    this.bias = this.config.bias ? this.registerParameter('bias', kaimingUniformDefault([outChannels], fanIn)) : null;
  }

  /** `outputSize` (L', [L'] or [N, C, L']) picks the outputPadding that reaches it, as PyTorch's `output_size`. */
  forward(x: Tensor, outputSize?: number | readonly number[]): Tensor {
    const { stride, padding, dilation, groups, kernelSize } = this.config;
    let outputPadding = this.config.outputPadding;
    if (outputSize !== undefined && outputSize !== null) {
      if (x?.rank !== 3) fail(this.typeName, `input must be 3-D [N, C, L], got shape ${fmt(x?.shape)}`);
      const size = spatialSize(this.typeName, outputSize, 1);
      outputPadding = outputPaddingFor(this.typeName, [x.shape[2]], size, [kernelSize], [stride], [padding], [dilation])[0];
    }
    return convTranspose1dNamed(this.typeName, x, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups });
  }
}

/** Upsampling of [N, C, H, W], as torch.nn.Upsample: F.interpolate with fixed options. */
export class Upsample extends Module {
  static readonly layerName = 'Upsample';
  readonly options: InterpolateOptions;

  constructor(options: InterpolateOptions) {
    super();
    checkInterpolateOptions(this.typeName, options);
    this.options = copyOptions(options);
  }

  forward(x: Tensor): Tensor {
    return interpolateNamed(this.typeName, x, this.options);
  }
}
