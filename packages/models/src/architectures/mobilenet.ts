import { nn, type Tensor } from '@cnn/core';
import { chain, checkKeys, enumOpt, intOpt, numOpt } from './util.js';

export interface MobileNetV1Config {
  type: 'mobilenetV1';
  numClasses: number;
  inChannels: number;
  /** α: scales every layer's channels (0.25, 0.5, 0.75, 1 in the paper). */
  widthMultiplier: number;
  /** 'imagenet': stride-2 first conv (224×224 inputs). 'cifar': stride-1 first conv and stride 1 in the first
   * stride-2 block, for 32×32 inputs. */
  stem: 'imagenet' | 'cifar';
  dropout: number;
}
export type MobileNetV1Options = Partial<Omit<MobileNetV1Config, 'type'>>;

/** Depthwise 3×3 conv → BN → ReLU → pointwise 1×1 conv → BN → ReLU (MobileNet v1's separable block). */
export class DepthwiseSeparableBlock extends nn.Module {
  static readonly layerName = 'DepthwiseSeparableBlock';
  readonly depthwise: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu1 = new nn.ReLU();
  readonly pointwise: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly relu2 = new nn.ReLU();

  constructor(inChannels: number, outChannels: number, stride: number) {
    super();
    this.depthwise = this.registerModule('depthwise', new nn.Conv2d({ inChannels, outChannels: inChannels, kernelSize: 3, stride, padding: 1, groups: inChannels, bias: false }));
    this.bn1 = this.registerModule('bn1', new nn.BatchNorm2d({ numFeatures: inChannels }));
    this.registerModule('relu1', this.relu1);
    this.pointwise = this.registerModule('pointwise', new nn.Conv2d({ inChannels, outChannels, kernelSize: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', new nn.BatchNorm2d({ numFeatures: outChannels }));
    this.registerModule('relu2', this.relu2);
  }

  forward(x: Tensor): Tensor {
    // Two fused convs in inference (nn.convBnActivation); layer by layer in training.
    return chain(x, [
      (t: Tensor) => nn.convBnActivation(t, this.depthwise, this.bn1, this.relu1),
      (t: Tensor) => nn.convBnActivation(t, this.pointwise, this.bn2, this.relu2),
    ]);
  }
}

/** (output channels, stride) of the 13 separable blocks (Howard et al. 2017, table 1). */
const BLOCKS: [number, number][] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

/**
 * MobileNet v1: stem (conv 3×3 stride 2 → BN → ReLU), 13 depthwise-separable blocks, global average pool, dropout,
 * fc. Names: stem.0/.1, blocks.N.depthwise/bn1/pointwise/bn2, fc. 4,231,976 parameters at α = 1, 1000 classes.
 * Channels are round(c·α), at least 1.
 */
export class MobileNetV1 extends nn.Module {
  static readonly layerName = 'MobileNetV1';
  readonly config: MobileNetV1Config;
  readonly stem: nn.Sequential;
  readonly blocks: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly flatten: nn.Flatten;
  readonly dropout: nn.Dropout;
  readonly fc: nn.Linear;

  constructor(options: MobileNetV1Options = {}) {
    super();
    const m = 'mobilenetV1';
    checkKeys(m, options, ['numClasses', 'inChannels', 'widthMultiplier', 'stem', 'dropout']);
    const c: MobileNetV1Config = {
      type: 'mobilenetV1',
      numClasses: intOpt(m, 'numClasses', options.numClasses, 1000),
      inChannels: intOpt(m, 'inChannels', options.inChannels, 3),
      widthMultiplier: numOpt(m, 'widthMultiplier', options.widthMultiplier, 1, 1e-3, 16),
      stem: enumOpt(m, 'stem', options.stem, ['imagenet', 'cifar'], 'imagenet'),
      dropout: numOpt(m, 'dropout', options.dropout, 0, 0, 1),
    };
    this.config = c;
    const width = (ch: number): number => Math.max(1, Math.round(ch * c.widthMultiplier));
    const cifar = c.stem === 'cifar';
    let ch = width(32);
    this.stem = this.registerModule('stem', new nn.Sequential(
      new nn.Conv2d({ inChannels: c.inChannels, outChannels: ch, kernelSize: 3, stride: cifar ? 1 : 2, padding: 1, bias: false }),
      new nn.BatchNorm2d({ numFeatures: ch }),
      new nn.ReLU(),
    ));
    const list: DepthwiseSeparableBlock[] = [];
    let firstStride2 = true;
    for (const [out, s] of BLOCKS) {
      let stride = s;
      if (s === 2 && firstStride2) {
        firstStride2 = false;
        if (cifar) stride = 1;
      }
      list.push(new DepthwiseSeparableBlock(ch, width(out), stride));
      ch = width(out);
    }
    this.blocks = this.registerModule('blocks', new nn.Sequential(...list));
    this.avgpool = this.registerModule('avgpool', new nn.AdaptiveAvgPool2d({ outputSize: 1 }));
    this.flatten = this.registerModule('flatten', new nn.Flatten());
    this.dropout = this.registerModule('dropout', new nn.Dropout({ p: c.dropout }));
    this.fc = this.registerModule('fc', new nn.Linear({ inFeatures: ch, outFeatures: c.numClasses }));
  }

  forward(x: Tensor): Tensor {
    return chain(x, [this.stem, this.blocks, this.avgpool, this.flatten, this.dropout, this.fc].map((l) => (t: Tensor) => l.forward(t)));
  }
}
