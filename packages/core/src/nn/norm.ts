/** GroupNorm, LayerNorm and InstanceNorm2d layers (BatchNorm1d/2d live in layers.ts). */
import { fail, fmt, shapeStr } from '../errors.js';
import { finiteNumber, positiveInt } from '../geometry/args.js';
import { sizeOf } from '../geometry/broadcast.js';
import { ones, zeros } from '../ops/create.js';
import { groupNorm } from '../ops/group-norm.js';
import { instanceNorm } from '../ops/instance-norm.js';
import { checkNormalizedShape, layerNorm } from '../ops/layer-norm.js';
import { checkEps } from '../ops/norm-args.js';
import { finishComposite } from '../ops/composite.js';
import { squeeze, unsqueeze } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

function bool(layer: string, name: string, v: unknown, fallback: boolean): boolean {
  const b = v ?? fallback;
  if (typeof b !== 'boolean') fail(layer, `${name} must be true or false, got ${fmt(b)}`);
  return b;
}

function optionsObject(layer: string, o: unknown, fields: string): void {
  if (!o || typeof o !== 'object' || Array.isArray(o)) fail(layer, `expects an options object { ${fields} }, got ${fmt(o)}`);
}

export interface GroupNormConfig {
  numGroups: number;
  numChannels: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learnable per-channel weight (ones) and bias (zeros), default true. */
  affine?: boolean;
}

/** Group normalisation over [N, C, *], as torch.nn.GroupNorm: statistics per sample and group, in training and eval alike. */
export class GroupNorm extends Module {
  static readonly layerName = 'GroupNorm';
  readonly options: Required<GroupNormConfig>;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(options: GroupNormConfig) {
    super();
    const layer = this.typeName;
    optionsObject(layer, options, 'numGroups, numChannels, eps?, affine?');
    const numGroups = positiveInt(layer, 'numGroups', options.numGroups, NaN);
    const numChannels = positiveInt(layer, 'numChannels', options.numChannels, NaN);
    if (numChannels % numGroups !== 0) fail(layer, `numGroups ${numGroups} must divide numChannels ${numChannels}`);
    const eps = checkEps(layer, options.eps);
    const affine = bool(layer, 'affine', options.affine, true);
    this.options = { numGroups, numChannels, eps, affine };
    this.weight = affine ? this.registerParameter('weight', ones([numChannels])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numChannels])) : null;
  }
  forward(x: Tensor): Tensor {
    const { numGroups, numChannels, eps } = this.options;
    if (x.rank < 2) fail(this.typeName, `input must be at least 2-D [N, C, *], got shape ${shapeStr(x.shape)}`);
    if (x.shape[1] !== numChannels) fail(this.typeName, `input shape ${shapeStr(x.shape)} has ${x.shape[1]} channels, expected ${numChannels}`);
    return groupNorm(x, numGroups, this.weight, this.bias, { eps });
  }
}

export interface LayerNormConfig {
  /** The trailing dimensions to normalise over: one size or a list (input shape [..., *normalizedShape]). */
  normalizedShape: number | number[];
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learnable per-element weight (ones) and bias (zeros) of shape normalizedShape, default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether there is a bias (default true; PyTorch ≥ 2.1's `bias`). */
  bias?: boolean;
}

/** Layer normalisation over the last dimensions, as torch.nn.LayerNorm. */
export class LayerNorm extends Module {
  static readonly layerName = 'LayerNorm';
  readonly options: { normalizedShape: number[]; eps: number; elementwiseAffine: boolean; bias: boolean };
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(options: LayerNormConfig) {
    super();
    const layer = this.typeName;
    optionsObject(layer, options, 'normalizedShape, eps?, elementwiseAffine?, bias?');
    const normalizedShape = checkNormalizedShape(layer, options.normalizedShape);
    const eps = checkEps(layer, options.eps);
    const elementwiseAffine = bool(layer, 'elementwiseAffine', options.elementwiseAffine, true);
    const bias = bool(layer, 'bias', options.bias, true);
    this.options = { normalizedShape, eps, elementwiseAffine, bias };
    this.weight = elementwiseAffine ? this.registerParameter('weight', ones(normalizedShape)) : null;
    this.bias = elementwiseAffine && bias ? this.registerParameter('bias', zeros(normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    const { normalizedShape, eps } = this.options;
    const k = normalizedShape.length;
    if (x.rank < k || x.shape.slice(x.rank - k).join() !== normalizedShape.join()) {
      fail(this.typeName, `input shape ${shapeStr(x.shape)} must end in normalizedShape ${shapeStr(normalizedShape)}`);
    }
    return layerNorm(x, normalizedShape, this.weight, this.bias, { eps });
  }
}

export interface InstanceNormConfig {
  numFeatures: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each batch's statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Learnable per-channel weight (ones) and bias (zeros); default false, as PyTorch. */
  affine?: boolean;
  /** Keep running averages of the statistics and normalise with them in eval mode; default false, as PyTorch. */
  trackRunningStats?: boolean;
}

/**
 * Instance normalisation over [N, C, H, W] (or unbatched [C, H, W]), as torch.nn.InstanceNorm2d: each sample's
 * channels are normalised with their own statistics in training, and in eval too unless `trackRunningStats`, when
 * eval uses the running averages (updated in training with the unbiased variance; `num_batches_tracked` is kept
 * for PyTorch's state dict but, as in PyTorch, never counted).
 */
export class InstanceNorm2d extends Module {
  static readonly layerName = 'InstanceNorm2d';
  readonly options: Required<InstanceNormConfig>;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  constructor(options: InstanceNormConfig) {
    super();
    const layer = this.typeName;
    optionsObject(layer, options, 'numFeatures, eps?, momentum?, affine?, trackRunningStats?');
    const numFeatures = positiveInt(layer, 'numFeatures', options.numFeatures, NaN);
    const eps = checkEps(layer, options.eps);
    const momentum = finiteNumber(layer, 'momentum', options.momentum, 0.1, 0);
    if (momentum > 1) fail(layer, `momentum must be in [0, 1], got ${momentum}`);
    const affine = bool(layer, 'affine', options.affine, false);
    const trackRunningStats = bool(layer, 'trackRunningStats', options.trackRunningStats, false);
    this.options = { numFeatures, eps, momentum, affine, trackRunningStats };
    this.weight = affine ? this.registerParameter('weight', ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numFeatures])) : null;
    this.runningMean = trackRunningStats ? this.registerBuffer('running_mean', zeros([numFeatures])) : null;
    this.runningVar = trackRunningStats ? this.registerBuffer('running_var', ones([numFeatures])) : null;
    this.numBatchesTracked = trackRunningStats ? this.registerBuffer('num_batches_tracked', zeros([], 'int32')) : null;
  }
  forward(x: Tensor): Tensor {
    const layer = this.typeName;
    const { numFeatures, eps, momentum, trackRunningStats } = this.options;
    if (x.rank !== 3 && x.rank !== 4) fail(layer, `input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${shapeStr(x.shape)}`);
    const c = x.shape[x.rank - 3];
    // PyTorch only warns on this mismatch without affine or running stats; a wrong channel count is a bug either way.
    if (c !== numFeatures) fail(layer, `input shape ${shapeStr(x.shape)} has ${c} channels, expected numFeatures ${numFeatures}`);
    const useInputStats = this.training || !trackRunningStats;
    if (useInputStats && sizeOf(x.shape.slice(-2)) <= 1) {
      fail(layer, `normalising with each instance's statistics needs more than one spatial element, got input shape ${shapeStr(x.shape)}`);
    }
    const opts = { useInputStats, momentum: this.training ? momentum : 0, eps };
    if (x.rank === 4) return instanceNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, opts);
    const batched = unsqueeze(x, 0);
    const y = instanceNorm(batched, this.runningMean, this.runningVar, this.weight, this.bias, opts);
    return finishComposite(squeeze(y, 0), [batched, y]);
  }
}
