import { nn, type Tensor } from '@cnn/core';
import { chain, checkKeys, intOpt, numOpt } from './util.js';

export interface AlexNetConfig {
  type: 'alexnet';
  numClasses: number;
  inChannels: number;
  dropout: number;
}
export type AlexNetOptions = Partial<Omit<AlexNetConfig, 'type'>>;

/**
 * AlexNet exactly as torchvision.models.alexnet (the one-GPU variant of Krizhevsky 2014): features.0/3/6/8/10 convs,
 * avgpool AdaptiveAvgPool2d(6×6), classifier.1/4/6 linears with dropouts at classifier.0/.3. 61,100,840 parameters
 * at 1000 classes. Inputs must be at least 63×63.
 */
export class AlexNet extends nn.Module {
  static readonly layerName = 'AlexNet';
  readonly config: AlexNetConfig;
  readonly features: nn.Sequential;
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly flatten: nn.Flatten;
  readonly classifier: nn.Sequential;

  constructor(options: AlexNetOptions = {}) {
    super();
    const m = 'alexnet';
    checkKeys(m, options, ['numClasses', 'inChannels', 'dropout']);
    const c: AlexNetConfig = {
      type: 'alexnet',
      numClasses: intOpt(m, 'numClasses', options.numClasses, 1000),
      inChannels: intOpt(m, 'inChannels', options.inChannels, 3),
      dropout: numOpt(m, 'dropout', options.dropout, 0.5, 0, 1),
    };
    this.config = c;
    const conv = (i: number, o: number, k: number, s: number, p: number) => new nn.Conv2d({ inChannels: i, outChannels: o, kernelSize: k, stride: s, padding: p });
    const pool = () => new nn.MaxPool2d({ kernelSize: 3, stride: 2 });
    this.features = this.registerModule('features', new nn.Sequential(
      conv(c.inChannels, 64, 11, 4, 2), new nn.ReLU(), pool(),
      conv(64, 192, 5, 1, 2), new nn.ReLU(), pool(),
      conv(192, 384, 3, 1, 1), new nn.ReLU(),
      conv(384, 256, 3, 1, 1), new nn.ReLU(),
      conv(256, 256, 3, 1, 1), new nn.ReLU(), pool(),
    ));
    this.avgpool = this.registerModule('avgpool', new nn.AdaptiveAvgPool2d({ outputSize: [6, 6] }));
    this.flatten = this.registerModule('flatten', new nn.Flatten());
    this.classifier = this.registerModule('classifier', new nn.Sequential(
      new nn.Dropout({ p: c.dropout }), new nn.Linear({ inFeatures: 256 * 6 * 6, outFeatures: 4096 }), new nn.ReLU(),
      new nn.Dropout({ p: c.dropout }), new nn.Linear({ inFeatures: 4096, outFeatures: 4096 }), new nn.ReLU(),
      new nn.Linear({ inFeatures: 4096, outFeatures: c.numClasses }),
    ));
  }

  forward(x: Tensor): Tensor {
    return chain(x, [this.features, this.avgpool, this.flatten, this.classifier].map((l) => (t: Tensor) => l.forward(t)));
  }
}
