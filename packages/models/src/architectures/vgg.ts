import { nn, type Tensor } from '@cnn/core';
import { boolOpt, chain, checkKeys, fail, intListOpt, intOpt, numOpt } from './util.js';

export interface VggConfig {
  type: 'vgg';
  inChannels: number;
  numClasses: number;
  /** Output channels of each 3×3 conv, one list per block; each block ends with a 2×2 max-pool. */
  blocks: number[][];
  batchNorm: boolean;
  /** Side of the square input; sizes the first linear layer when `adaptivePool` is 0. */
  inputSize: number;
  /** If > 0, an AdaptiveAvgPool2d to this size precedes the classifier (torchvision uses 7), so any input size works. */
  adaptivePool: number;
  /** Hidden sizes of the classifier (each Linear → ReLU → Dropout); torchvision uses [4096, 4096]. */
  classifier: number[];
  dropout: number;
}
export type VggOptions = Partial<Omit<VggConfig, 'type'>>;

/** torchvision's VGG-16 blocks. */
export const VGG16_BLOCKS = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];

/**
 * VGG-style network in torchvision's layout: `features` = ((conv 3×3 pad 1 → [BatchNorm2d] → ReLU) × k → MaxPool 2)
 * × blocks, then [avgpool], flatten, `classifier` = (Linear → ReLU → Dropout) × hidden, Linear. Convs keep their bias
 * with batch norm, as torchvision's vgg*_bn. Defaults suit 3×32×32 (CIFAR): blocks [[64,64],[128,128],[256,256]],
 * batch norm, classifier [512].
 */
export class VGG extends nn.Module {
  static readonly layerName = 'VGG';
  readonly config: VggConfig;
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d | null;
  readonly flatten: nn.Flatten;
  readonly classifier: nn.Sequential;

  constructor(options: VggOptions = {}) {
    super();
    const m = 'vgg';
    checkKeys(m, options, ['inChannels', 'numClasses', 'blocks', 'batchNorm', 'inputSize', 'adaptivePool', 'classifier', 'dropout']);
    const blocksIn = options.blocks ?? [[64, 64], [128, 128], [256, 256]];
    if (!Array.isArray(blocksIn) || blocksIn.length === 0) fail(m, `blocks must be a non-empty list of channel lists, got ${JSON.stringify(blocksIn)}`);
    const blocks = blocksIn.map((b, i) => {
      const l = intListOpt(m, `blocks[${i}]`, b, []);
      if (l.length === 0) fail(m, `blocks[${i}] must list at least one conv's channels`);
      return l;
    });
    const c: VggConfig = {
      type: 'vgg',
      inChannels: intOpt(m, 'inChannels', options.inChannels, 3),
      numClasses: intOpt(m, 'numClasses', options.numClasses, 10),
      blocks,
      batchNorm: boolOpt(m, 'batchNorm', options.batchNorm, true),
      inputSize: intOpt(m, 'inputSize', options.inputSize, 32),
      adaptivePool: intOpt(m, 'adaptivePool', options.adaptivePool, 0, 0),
      classifier: intListOpt(m, 'classifier', options.classifier, [512]),
      dropout: numOpt(m, 'dropout', options.dropout, 0.5, 0, 1),
    };
    let side = c.inputSize;
    for (let i = 0; i < blocks.length; i++) {
      side = Math.floor(side / 2);
      if (side < 1 && !c.adaptivePool) fail(m, `inputSize ${c.inputSize} is too small for ${blocks.length} pooling blocks (it must be at least ${2 ** blocks.length})`);
    }
    if (side < 1) fail(m, `inputSize ${c.inputSize} is too small for ${blocks.length} pooling blocks (it must be at least ${2 ** blocks.length})`);
    this.config = c;
    const layers: nn.Module[] = [];
    let ch = c.inChannels;
    for (const block of blocks) {
      for (const out of block) {
        layers.push(new nn.Conv2d({ inChannels: ch, outChannels: out, kernelSize: 3, padding: 1 }));
        if (c.batchNorm) layers.push(new nn.BatchNorm2d({ numFeatures: out }));
        layers.push(new nn.ReLU());
        ch = out;
      }
      layers.push(new nn.MaxPool2d({ kernelSize: 2, stride: 2 }));
    }
    this.features = this.registerModule('features', new nn.Sequential(...layers));
    this.avgpool = c.adaptivePool ? this.registerModule('avgpool', new nn.AdaptiveAvgPool2d({ outputSize: c.adaptivePool })) : null;
    this.flatten = this.registerModule('flatten', new nn.Flatten());
    const flat = c.adaptivePool ? ch * c.adaptivePool * c.adaptivePool : ch * side * side;
    const head: nn.Module[] = [];
    let f = flat;
    for (const h of c.classifier) {
      head.push(new nn.Linear({ inFeatures: f, outFeatures: h }), new nn.ReLU(), new nn.Dropout({ p: c.dropout }));
      f = h;
    }
    head.push(new nn.Linear({ inFeatures: f, outFeatures: c.numClasses }));
    this.classifier = this.registerModule('classifier', new nn.Sequential(...head));
  }

  forward(x: Tensor): Tensor {
    const parts: nn.Module[] = [this.features, ...(this.avgpool ? [this.avgpool] : []), this.flatten, this.classifier];
    return chain(x, parts.map((l) => (t: Tensor) => l.forward(t)));
  }
}
