/** Pooling, normalisation, linear, dropout, reshaping and activation layers. */
import { fail, fmt, shapeStr } from '../errors.js';
import { finiteNumber, pair, positiveInt, type Pair } from '../geometry/args.js';
import { ones, zeros } from '../ops/create.js';
import { dropout } from '../ops/dropout.js';
import { linear } from '../ops/linalg.js';
import { batchNorm } from '../ops/norm.js';
import { adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool1d, avgPool2d, checkPool1dOptions, maxPool1d, maxPool2d, type Pool1dOptions, type Pool2dOptions } from '../ops/pool.js';
import { elu, gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from '../ops/activation.js';
import { flatten, reshape } from '../ops/shape.js';
import { mean } from '../ops/reduce.js';
import { tidy, noGrad } from '../engine.js';
import { add } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { kaimingUniformDefault } from './init.js';
import { Module } from './module.js';
import { copyOptions } from './options.js';

function checkPool2d(layer: string, o: Pool2dOptions, dilation: boolean): Pool2dOptions {
  if (!o || typeof o !== 'object') fail(layer, 'expects an options object { kernelSize, ... }');
  pair(layer, 'kernelSize', o.kernelSize, NaN, 1);
  pair(layer, 'stride', o.stride ?? o.kernelSize, 1, 1);
  const p = pair(layer, 'padding', o.padding, 0, 0);
  const k = pair(layer, 'kernelSize', o.kernelSize, 1, 1);
  if (dilation) pair(layer, 'dilation', o.dilation, 1, 1);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) fail(layer, `padding ${fmt(p)} must be at most half the kernel size ${fmt(k)}`);
  return copyOptions(o);
}

export class MaxPool2d extends Module {
  static readonly layerName = 'MaxPool2d';
  readonly options: Pool2dOptions;
  constructor(options: Pool2dOptions) {
    super();
    this.options = checkPool2d(this.typeName, options, true);
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }
}

export class AvgPool2d extends Module {
  static readonly layerName = 'AvgPool2d';
  readonly options: Pool2dOptions;
  constructor(options: Pool2dOptions) {
    super();
    if (options?.dilation !== undefined) fail(this.typeName, 'dilation is not supported by average pooling');
    this.options = checkPool2d(this.typeName, options, false);
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }
}

export class MaxPool1d extends Module {
  static readonly layerName = 'MaxPool1d';
  readonly options: Pool1dOptions;
  constructor(options: Pool1dOptions) {
    super();
    checkPool1dOptions(this.typeName, options, 'max');
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return maxPool1d(x, this.options);
  }
}

export class AvgPool1d extends Module {
  static readonly layerName = 'AvgPool1d';
  readonly options: Pool1dOptions;
  constructor(options: Pool1dOptions) {
    super();
    checkPool1dOptions(this.typeName, options, 'avg');
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.options);
  }
}

export class AdaptiveAvgPool2d extends Module {
  static readonly layerName = 'AdaptiveAvgPool2d';
  readonly options: { outputSize: Pair };
  readonly outputSize: [number, number];
  constructor(options: { outputSize: Pair }) {
    super();
    this.outputSize = pair(this.typeName, 'outputSize', options?.outputSize, NaN, 1);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

export class AdaptiveMaxPool2d extends Module {
  static readonly layerName = 'AdaptiveMaxPool2d';
  readonly options: { outputSize: Pair };
  readonly outputSize: [number, number];
  constructor(options: { outputSize: Pair }) {
    super();
    this.outputSize = pair(this.typeName, 'outputSize', options?.outputSize, NaN, 1);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
}

/** Averages each channel over its whole feature map: [N, C, H, W] → [N, C]. */
export class GlobalAvgPool2d extends Module {
  static readonly layerName = 'GlobalAvgPool2d';
  forward(x: Tensor): Tensor {
    if (x.rank !== 4) fail(this.typeName, `input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
    return mean(x, [2, 3]);
  }
}

export interface BatchNormConfig {
  numFeatures: number;
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  readonly numFeatures: number;
  /** The constructor's options, defaults filled in. */
  readonly options: Required<BatchNormConfig>;
  protected abstract readonly ranks: readonly number[];

  constructor(c: BatchNormConfig) {
    super();
    const layer = this.typeName;
    this.numFeatures = positiveInt(layer, 'numFeatures', c?.numFeatures, NaN);
    this.eps = finiteNumber(layer, 'eps', c.eps, 1e-5, 0);
    this.momentum = finiteNumber(layer, 'momentum', c.momentum, 0.1, 0);
    if (this.momentum > 1) fail(layer, `momentum must be in [0, 1], got ${this.momentum}`);
    const affine = c.affine ?? true;
    const track = c.trackRunningStats ?? true;
    this.options = { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine, trackRunningStats: track };
    this.weight = affine ? this.registerParameter('weight', ones([this.numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([this.numFeatures])) : null;
    this.runningMean = track ? this.registerBuffer('running_mean', zeros([this.numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', ones([this.numFeatures])) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', zeros([], 'int32')) : null;
  }

  forward(x: Tensor): Tensor {
    const layer = this.typeName;
    if (!this.ranks.includes(x.rank)) fail(layer, `input must be ${this.ranks.map((r) => `${r}-D`).join(' or ')}, got shape ${shapeStr(x.shape)}`);
    if (x.shape[1] !== this.numFeatures) fail(layer, `input shape ${shapeStr(x.shape)} has ${x.shape[1]} channels, expected ${this.numFeatures}`);
    const useBatchStats = this.training || !this.runningMean;
    if (this.training && this.numBatchesTracked) {
      const n = this.numBatchesTracked;
      noGrad(() => tidy(() => n.assign(add(n.toFloat(), 1).toInt())));
    }
    return batchNorm(x, this.training ? this.runningMean : this.runningMean, this.runningVar, this.weight, this.bias, {
      training: useBatchStats,
      momentum: this.training ? this.momentum : 0,
      eps: this.eps,
    });
  }
}

/** Batch normalisation over [N, C, H, W], as torch.nn.BatchNorm2d. */
export class BatchNorm2d extends BatchNormBase {
  static readonly layerName = 'BatchNorm2d';
  protected readonly ranks = [4];
}

/** Batch normalisation over [N, C] or [N, C, L], as torch.nn.BatchNorm1d. */
export class BatchNorm1d extends BatchNormBase {
  static readonly layerName = 'BatchNorm1d';
  protected readonly ranks = [2, 3];
}

export class Dropout extends Module {
  static readonly layerName = 'Dropout';
  readonly p: number;
  readonly options: { p: number };
  constructor(options: { p?: number } = {}) {
    super();
    const p = options.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail(this.typeName, `p must be a probability in [0, 1], got ${fmt(p)}`);
    this.p = p;
    this.options = { p };
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}

export interface LinearConfig {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
}

/** y = x·Wᵀ + b, as torch.nn.Linear (weight [out, in]). */
export class Linear extends Module {
  static readonly layerName = 'Linear';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** The constructor's options, defaults filled in. */
  readonly options: Required<LinearConfig>;
  constructor(c: LinearConfig) {
    super();
    const inF = positiveInt(this.typeName, 'inFeatures', c?.inFeatures, NaN);
    const outF = positiveInt(this.typeName, 'outFeatures', c.outFeatures, NaN);
    this.options = { inFeatures: inF, outFeatures: outF, bias: c.bias ?? true };
    this.weight = this.registerParameter('weight', kaimingUniformDefault([outF, inF], inF));
    this.bias = (c.bias ?? true) ? this.registerParameter('bias', kaimingUniformDefault([outF], inF)) : null;
  }
  forward(x: Tensor): Tensor {
    const inF = this.weight.shape[1];
    if (x.rank < 1 || x.shape[x.rank - 1] !== inF) {
      fail(this.typeName, `input shape ${shapeStr(x.shape)} must end in ${inF} features (weight shape ${shapeStr(this.weight.shape)})`);
    }
    return linear(x, this.weight, this.bias);
  }
}

export class Flatten extends Module {
  static readonly layerName = 'Flatten';
  readonly options: { startDim?: number; endDim?: number };
  constructor(options: { startDim?: number; endDim?: number } = {}) {
    super();
    for (const k of ['startDim', 'endDim'] as const) {
      if (options[k] !== undefined && !Number.isInteger(options[k])) fail(this.typeName, `${k} must be an integer, got ${fmt(options[k])}`);
    }
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.options.startDim ?? 1, this.options.endDim ?? -1);
  }
}

export class Identity extends Module {
  static readonly layerName = 'Identity';
  forward(x: Tensor): Tensor {
    return reshape(x, x.shape);
  }
}

export class ReLU extends Module {
  static readonly layerName = 'ReLU';
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}
export class LeakyReLU extends Module {
  static readonly layerName = 'LeakyReLU';
  readonly options: { negativeSlope?: number };
  constructor(options: { negativeSlope?: number } = {}) {
    super();
    finiteNumber(this.typeName, 'negativeSlope', options.negativeSlope, 0.01);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.options.negativeSlope ?? 0.01);
  }
}
export class ELU extends Module {
  static readonly layerName = 'ELU';
  readonly options: { alpha?: number };
  constructor(options: { alpha?: number } = {}) {
    super();
    finiteNumber(this.typeName, 'alpha', options.alpha, 1);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.options.alpha ?? 1);
  }
}
export class GELU extends Module {
  static readonly layerName = 'GELU';
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}
export class Sigmoid extends Module {
  static readonly layerName = 'Sigmoid';
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}
export class Tanh extends Module {
  static readonly layerName = 'Tanh';
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
export class Softmax extends Module {
  static readonly layerName = 'Softmax';
  readonly options: { dim?: number };
  constructor(options: { dim?: number } = {}) {
    super();
    if (options.dim !== undefined && !Number.isInteger(options.dim)) fail(this.typeName, `dim must be an integer, got ${fmt(options.dim)}`);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.options.dim ?? -1);
  }
}
export class LogSoftmax extends Module {
  static readonly layerName = 'LogSoftmax';
  readonly options: { dim?: number };
  constructor(options: { dim?: number } = {}) {
    super();
    if (options.dim !== undefined && !Number.isInteger(options.dim)) fail(this.typeName, `dim must be an integer, got ${fmt(options.dim)}`);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.options.dim ?? -1);
  }
}
