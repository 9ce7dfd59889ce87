/** nn.Unfold and nn.Fold: F.unfold / F.fold as layers (no parameters), options as torch.nn's in camelCase. */
import { fail, fmt } from '../errors.js';
import { pair } from '../geometry/args.js';
import type { FoldOptions, UnfoldOptions } from '../geometry/unfold.js';
import { fold, unfold } from '../ops/unfold.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { copyOptions } from './options.js';

function checkOptions(layer: string, o: UnfoldOptions, known: readonly string[]): void {
  if (!o || typeof o !== 'object' || Array.isArray(o)) fail(layer, `expects an options object { ${known.join(', ')} }, got ${fmt(o)}`);
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) fail(layer, `unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: ${known.map((k) => `'${k}'`).join(', ')}`);
  pair(layer, 'kernelSize', o.kernelSize, NaN, 1);
  pair(layer, 'dilation', o.dilation, 1, 1);
  pair(layer, 'padding', o.padding, 0, 0);
  pair(layer, 'stride', o.stride, 1, 1);
}

/** Sliding blocks as columns: [N, C, H, W] → [N, C·kH·kW, L]. */
export class Unfold extends Module {
  static readonly layerName = 'Unfold';
  readonly options: UnfoldOptions;
  constructor(options: UnfoldOptions) {
    super();
    checkOptions(this.typeName, options, ['kernelSize', 'dilation', 'padding', 'stride']);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return unfold(x, this.options);
  }
}

/** Columns summed back into an image: [N, C·kH·kW, L] → [N, C, outputSize]. */
export class Fold extends Module {
  static readonly layerName = 'Fold';
  readonly options: FoldOptions;
  constructor(options: FoldOptions) {
    super();
    checkOptions(this.typeName, options, ['outputSize', 'kernelSize', 'dilation', 'padding', 'stride']);
    pair(this.typeName, 'outputSize', options.outputSize, NaN, 1);
    this.options = copyOptions(options);
  }
  forward(x: Tensor): Tensor {
    return fold(x, this.options);
  }
}
