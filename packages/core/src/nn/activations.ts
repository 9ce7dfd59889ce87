/**
 * The activations of mobile and modern CNNs (MobileNet v2/v3, EfficientNet): ReLU6, Hardtanh, Hardswish, Hardsigmoid,
 * SiLU, Mish, Softplus and PReLU (learnable), as torch.nn. Each keeps its options (camelCase of PyTorch's arguments)
 * in `options`, defaults filled in.
 */
import { fail, fmt } from '../errors.js';
import { finiteNumber, positiveInt } from '../geometry/args.js';
import { full } from '../ops/create.js';
import { hardsigmoid, hardswish, hardtanh, mish, prelu, relu6, silu, softplus } from '../ops/activation.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

function optionsObject(layer: string, o: unknown): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) fail(layer, `expects an options object, got ${fmt(o)}`);
  return o as Record<string, unknown>;
}

function onlyKnown(layer: string, o: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) fail(layer, `unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: ${known.map((k) => `'${k}'`).join(', ') || 'none'}`);
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Module {
  static readonly layerName = 'ReLU6';
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

export interface HardtanhOptions {
  /** Default -1. */
  minVal?: number;
  /** Default 1; must be greater than minVal (as torch.nn.Hardtanh asserts). */
  maxVal?: number;
}

/** clamp(x, minVal, maxVal). */
export class Hardtanh extends Module {
  static readonly layerName = 'Hardtanh';
  readonly options: Required<HardtanhOptions>;
  constructor(options: HardtanhOptions = {}) {
    super();
    const o = optionsObject(this.typeName, options);
    onlyKnown(this.typeName, o, ['minVal', 'maxVal']);
    const minVal = finiteNumber(this.typeName, 'minVal', options.minVal, -1);
    const maxVal = finiteNumber(this.typeName, 'maxVal', options.maxVal, 1);
    if (!(maxVal > minVal)) fail(this.typeName, `maxVal must be greater than minVal, got minVal ${minVal} and maxVal ${maxVal}`);
    this.options = { minVal, maxVal };
  }
  forward(x: Tensor): Tensor {
    return hardtanh(x, this.options.minVal, this.options.maxVal);
  }
}

/** x · relu6(x + 3) / 6. */
export class Hardswish extends Module {
  static readonly layerName = 'Hardswish';
  forward(x: Tensor): Tensor {
    return hardswish(x);
  }
}

/** relu6(x + 3) / 6. */
export class Hardsigmoid extends Module {
  static readonly layerName = 'Hardsigmoid';
  forward(x: Tensor): Tensor {
    return hardsigmoid(x);
  }
}

/** x · sigmoid(x) (Swish). */
export class SiLU extends Module {
  static readonly layerName = 'SiLU';
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** x · tanh(softplus(x)). */
export class Mish extends Module {
  static readonly layerName = 'Mish';
  forward(x: Tensor): Tensor {
    return mish(x);
  }
}

export interface SoftplusOptions {
  /** Default 1; non-zero. */
  beta?: number;
  /** Default 20: above βx = threshold the output is x. */
  threshold?: number;
}

/** log(1 + e^(βx)) / β. */
export class Softplus extends Module {
  static readonly layerName = 'Softplus';
  readonly options: Required<SoftplusOptions>;
  constructor(options: SoftplusOptions = {}) {
    super();
    const o = optionsObject(this.typeName, options);
    onlyKnown(this.typeName, o, ['beta', 'threshold']);
    const beta = finiteNumber(this.typeName, 'beta', options.beta, 1);
    if (beta === 0) fail(this.typeName, 'beta must be non-zero, got 0');
    this.options = { beta, threshold: finiteNumber(this.typeName, 'threshold', options.threshold, 20) };
  }
  forward(x: Tensor): Tensor {
    return softplus(x, this.options.beta, this.options.threshold);
  }
}

export interface PReLUOptions {
  /** 1 (one weight shared by all channels, the default) or the input's channel count. */
  numParameters?: number;
  /** Initial value of every weight; default 0.25. */
  init?: number;
}

/** max(0, x) + weight · min(0, x) with a learnable `weight` [numParameters] (PyTorch's name: `weight`). */
export class PReLU extends Module {
  static readonly layerName = 'PReLU';
  readonly options: Required<PReLUOptions>;
  readonly weight: Tensor;
  constructor(options: PReLUOptions = {}) {
    super();
    const o = optionsObject(this.typeName, options);
    onlyKnown(this.typeName, o, ['numParameters', 'init']);
    const numParameters = positiveInt(this.typeName, 'numParameters', options.numParameters, 1);
    const init = finiteNumber(this.typeName, 'init', options.init, 0.25);
    this.options = { numParameters, init };
    this.weight = this.registerParameter('weight', full([numParameters], init));
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}
