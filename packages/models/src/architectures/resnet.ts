import { nn, noGrad, type Tensor } from '@cnn/core';
import { chain, checkKeys, enumOpt, intOpt } from './util.js';

export interface ResNetConfig {
  type: 'resnet18' | 'resnet34';
  numClasses: number;
  inChannels: number;
  /** 'imagenet': 7×7 stride-2 conv1 + 3×3 stride-2 max-pool (torchvision). 'cifar': 3×3 stride-1 conv1, no max-pool. */
  stem: 'imagenet' | 'cifar';
}
export type ResNetOptions = Partial<Omit<ResNetConfig, 'type'>>;

function conv(i: number, o: number, k: number, s: number, p: number): nn.Conv2d {
  return new nn.Conv2d({ inChannels: i, outChannels: o, kernelSize: k, stride: s, padding: p, bias: false });
}

/** torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x)). */
export class BasicBlock extends nn.Module {
  static readonly layerName = 'BasicBlock';
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly downsample: nn.Sequential | null;

  constructor(inPlanes: number, planes: number, stride: number) {
    super();
    this.conv1 = this.registerModule('conv1', conv(inPlanes, planes, 3, stride, 1));
    this.bn1 = this.registerModule('bn1', new nn.BatchNorm2d({ numFeatures: planes }));
    this.relu = this.registerModule('relu', new nn.ReLU());
    this.conv2 = this.registerModule('conv2', conv(planes, planes, 3, 1, 1));
    this.bn2 = this.registerModule('bn2', new nn.BatchNorm2d({ numFeatures: planes }));
    this.downsample = stride !== 1 || inPlanes !== planes
      ? this.registerModule('downsample', new nn.Sequential(conv(inPlanes, planes, 1, stride, 0), new nn.BatchNorm2d({ numFeatures: planes })))
      : null;
  }

  forward(x: Tensor): Tensor {
    // relu(bn1(conv1(x))), then relu(bn2(conv2(·)) + identity): two fused convs in inference (nn.convBnActivation).
    const h = nn.convBnActivation(x, this.conv1, this.bn1, this.relu);
    let identity: Tensor;
    try {
      identity = this.downsample ? this.downsample.forward(x) : x;
    } catch (err) {
      h.dispose();
      throw err;
    }
    let y: Tensor;
    try {
      y = nn.convBnActivation(h, this.conv2, this.bn2, this.relu, identity);
    } catch (err) {
      h.dispose();
      if (identity !== x) identity.dispose();
      throw err;
    }
    // As Sequential does: the output owns what its autograd graph still needs; in inference nothing.
    const made = identity === x ? [h] : [h, identity];
    if (y.requiresGrad) return y.own(...made);
    for (const t of made) t.dispose();
    return y;
  }
}

const LAYERS: Record<ResNetConfig['type'], number[]> = { resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3] };

/**
 * ResNet with basic blocks, in torchvision's layout and names (conv1, bn1, relu, maxpool, layer1…layer4 with
 * layerN.M.conv1/bn1/conv2/bn2 and layerN.0.downsample.0/.1, avgpool, fc). ResNet-18 has 11,689,512 parameters at
 * 1000 classes. Convs are initialised as torchvision does (Kaiming, fan-out, ReLU gain; here uniform with that
 * variance), batch norms to weight 1, bias 0.
 */
export class ResNet extends nn.Module {
  static readonly layerName = 'ResNet';
  readonly config: ResNetConfig;
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly maxpool: nn.MaxPool2d | null;
  readonly layer1: nn.Sequential;
  readonly layer2: nn.Sequential;
  readonly layer3: nn.Sequential;
  readonly layer4: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly flatten: nn.Flatten;
  readonly fc: nn.Linear;

  constructor(type: ResNetConfig['type'], options: ResNetOptions = {}) {
    super();
    checkKeys(type, options, ['numClasses', 'inChannels', 'stem']);
    const c: ResNetConfig = {
      type,
      numClasses: intOpt(type, 'numClasses', options.numClasses, 1000),
      inChannels: intOpt(type, 'inChannels', options.inChannels, 3),
      stem: enumOpt(type, 'stem', options.stem, ['imagenet', 'cifar'], 'imagenet'),
    };
    this.config = c;
    const imagenet = c.stem === 'imagenet';
    this.conv1 = this.registerModule('conv1', imagenet ? conv(c.inChannels, 64, 7, 2, 3) : conv(c.inChannels, 64, 3, 1, 1));
    this.bn1 = this.registerModule('bn1', new nn.BatchNorm2d({ numFeatures: 64 }));
    this.relu = this.registerModule('relu', new nn.ReLU());
    this.maxpool = imagenet ? this.registerModule('maxpool', new nn.MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 })) : null;
    let inPlanes = 64;
    const layer = (planes: number, blocks: number, stride: number): nn.Sequential => {
      const list: BasicBlock[] = [];
      for (let i = 0; i < blocks; i++) {
        list.push(new BasicBlock(inPlanes, planes, i === 0 ? stride : 1));
        inPlanes = planes;
      }
      return new nn.Sequential(...list);
    };
    const n = LAYERS[type];
    this.layer1 = this.registerModule('layer1', layer(64, n[0], 1));
    this.layer2 = this.registerModule('layer2', layer(128, n[1], 2));
    this.layer3 = this.registerModule('layer3', layer(256, n[2], 2));
    this.layer4 = this.registerModule('layer4', layer(512, n[3], 2));
    this.avgpool = this.registerModule('avgpool', new nn.AdaptiveAvgPool2d({ outputSize: 1 }));
    this.flatten = this.registerModule('flatten', new nn.Flatten());
    this.fc = this.registerModule('fc', new nn.Linear({ inFeatures: 512, outFeatures: c.numClasses }));
    noGrad(() => {
      for (const [, mod] of this.namedModules()) {
        if (mod instanceof nn.Conv2d) {
          const [o, , kh, kw] = mod.weight.shape;
          const w = nn.kaimingUniform(mod.weight.shape, o * kh * kw); // torchvision: kaiming_normal_(fan_out, relu)
          mod.weight.assign(w);
          w.dispose();
        }
      }
    });
  }

  forward(x: Tensor): Tensor {
    const parts: nn.Module[] = [...(this.maxpool ? [this.maxpool] : []), this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool, this.flatten, this.fc];
    return chain(x, [(t: Tensor) => nn.convBnActivation(t, this.conv1, this.bn1, this.relu), ...parts.map((l) => (t: Tensor) => l.forward(t))]);
  }
}
