/** Dropout2d, the 2-D padding layers, PixelShuffle / PixelUnshuffle and ChannelShuffle: thin layers over F. */
import { fail, fmt, shapeStr } from '../errors.js';
import { positiveInt } from '../geometry/args.js';
import { padGeometry2d, type PadMode } from '../geometry/gather.js';
import { dropout2d } from '../ops/dropout2d.js';
import { channelShuffleAs, pixelShuffleAs, pixelUnshuffleAs } from '../ops/pixel-shuffle.js';
import { gatherOp } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

function optionsObject(layer: string, o: unknown, fields: string): void {
  if (!o || typeof o !== 'object' || Array.isArray(o)) fail(layer, `expects an options object { ${fields} }, got ${fmt(o)}`);
}

/** Zeroes whole channels of [N, C, H, W] with probability p in training (scaling the rest by 1/(1−p)), as torch.nn.Dropout2d. */
export class Dropout2d extends Module {
  static readonly layerName = 'Dropout2d';
  readonly options: { p: number };
  constructor(options: { p?: number } = {}) {
    super();
    optionsObject(this.typeName, options, 'p?');
    const p = options.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail(this.typeName, `p must be a probability in [0, 1], got ${fmt(p)}`);
    this.options = { p };
  }
  get p(): number {
    return this.options.p;
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 4) fail(this.typeName, `input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
    return dropout2d(x, this.options.p, this.training);
  }
}

/** Padding of a 2-D padding layer: one size for all four sides or [left, right, top, bottom], as PyTorch. */
export type Padding2d = number | [number, number, number, number];

export interface Pad2dConfig {
  padding: Padding2d;
}

abstract class Pad2dBase extends Module {
  readonly options: Pad2dConfig;
  private readonly pads: { left: number; right: number; top: number; bottom: number };

  /** `allowNegative`: ZeroPad2d crops with negative sizes, as PyTorch; reflection and replication need sizes ≥ 0. */
  protected constructor(options: Pad2dConfig, private readonly mode: PadMode, allowNegative: boolean) {
    super();
    const layer = this.typeName;
    optionsObject(layer, options, 'padding');
    const p = options.padding;
    const list = typeof p === 'number' ? [p, p, p, p] : p;
    if (!Array.isArray(list) || list.length !== 4 || !list.every((v) => Number.isInteger(v))) {
      fail(layer, `padding must be an integer or 4 integers [left, right, top, bottom], got ${fmt(p)}`);
    }
    if (!allowNegative && list.some((v) => v < 0)) fail(layer, `padding must be ≥ 0, got ${fmt(p)}`);
    this.options = { padding: typeof p === 'number' ? p : [list[0], list[1], list[2], list[3]] };
    this.pads = { left: list[0], right: list[1], top: list[2], bottom: list[3] };
  }

  forward(x: Tensor): Tensor {
    const layer = this.typeName;
    if (x.rank !== 3 && x.rank !== 4) fail(layer, `input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${shapeStr(x.shape)}`);
    // The geometry names this layer in its errors (reflection padding ≥ the input size, a crop leaving nothing).
    const geo = padGeometry2d(layer, x.shape, this.pads, this.mode);
    return gatherOp('pad', x, geo, [...x.shape.slice(0, -2), geo.outH, geo.outW], 0);
  }
}

/** Pads the last two dimensions with zeros (negative sizes crop), as torch.nn.ZeroPad2d. */
export class ZeroPad2d extends Pad2dBase {
  static readonly layerName = 'ZeroPad2d';
  constructor(options: Pad2dConfig) {
    super(options, 'constant', true);
  }
}

/** Pads the last two dimensions with their reflection (edge not repeated; each size < the input's), as torch.nn.ReflectionPad2d. */
export class ReflectionPad2d extends Pad2dBase {
  static readonly layerName = 'ReflectionPad2d';
  constructor(options: Pad2dConfig) {
    super(options, 'reflect', false);
  }
}

/** Pads the last two dimensions by repeating their edge values, as torch.nn.ReplicationPad2d. */
export class ReplicationPad2d extends Pad2dBase {
  static readonly layerName = 'ReplicationPad2d';
  constructor(options: Pad2dConfig) {
    super(options, 'replicate', false);
  }
}

/** [*, C·r², H, W] → [*, C, H·r, W·r], as torch.nn.PixelShuffle. */
export class PixelShuffle extends Module {
  static readonly layerName = 'PixelShuffle';
  readonly options: { upscaleFactor: number };
  constructor(options: { upscaleFactor: number }) {
    super();
    optionsObject(this.typeName, options, 'upscaleFactor');
    this.options = { upscaleFactor: positiveInt(this.typeName, 'upscaleFactor', options.upscaleFactor, NaN) };
  }
  forward(x: Tensor): Tensor {
    return pixelShuffleAs(this.typeName, x, this.options.upscaleFactor);
  }
}

/** [*, C, H·r, W·r] → [*, C·r², H, W], as torch.nn.PixelUnshuffle. */
export class PixelUnshuffle extends Module {
  static readonly layerName = 'PixelUnshuffle';
  readonly options: { downscaleFactor: number };
  constructor(options: { downscaleFactor: number }) {
    super();
    optionsObject(this.typeName, options, 'downscaleFactor');
    this.options = { downscaleFactor: positiveInt(this.typeName, 'downscaleFactor', options.downscaleFactor, NaN) };
  }
  forward(x: Tensor): Tensor {
    return pixelUnshuffleAs(this.typeName, x, this.options.downscaleFactor);
  }
}

/** Interleaves `groups` groups of channels of [N, C, *], as torch.nn.ChannelShuffle (ShuffleNet). */
export class ChannelShuffle extends Module {
  static readonly layerName = 'ChannelShuffle';
  readonly options: { groups: number };
  constructor(options: { groups: number }) {
    super();
    optionsObject(this.typeName, options, 'groups');
    this.options = { groups: positiveInt(this.typeName, 'groups', options.groups, NaN) };
  }
  forward(x: Tensor): Tensor {
    return channelShuffleAs(this.typeName, x, this.options.groups);
  }
}
