import { nn, type Tensor } from '@cnn/core';
import { chain, checkKeys, enumOpt, fail, intOpt, outSize } from './util.js';

export interface LeNet5Config {
  type: 'lenet5';
  numClasses: number;
  inChannels: number;
  /** Side of the square input the classifier is sized for (28 for MNIST). */
  inputSize: number;
  activation: 'relu' | 'tanh';
  pool: 'max' | 'avg';
}
export type LeNet5Options = Partial<Omit<LeNet5Config, 'type'>>;

/**
 * LeNet-5 for 1×28×28 inputs (LeCun et al. 1998, the common modern variant): conv 1→6 5×5 pad 2, act, pool 2,
 * conv 6→16 5×5, act, pool 2, flatten, linear 400→120→84→numClasses. Defaults to ReLU and max pooling (they train
 * faster than the original tanh / average pooling; both are options). The flatten size follows `inputSize`.
 *
 * Names: features.0 (conv1), features.3 (conv2), classifier.0 / .2 / .4 (linear layers).
 */
export class LeNet5 extends nn.Module {
  static readonly layerName = 'LeNet5';
  readonly config: LeNet5Config;
  readonly features: nn.Sequential;
  readonly flatten: nn.Flatten;
  readonly classifier: nn.Sequential;

  constructor(options: LeNet5Options = {}) {
    super();
    const m = 'lenet5';
    checkKeys(m, options, ['numClasses', 'inChannels', 'inputSize', 'activation', 'pool']);
    const c: LeNet5Config = {
      type: 'lenet5',
      numClasses: intOpt(m, 'numClasses', options.numClasses, 10),
      inChannels: intOpt(m, 'inChannels', options.inChannels, 1),
      inputSize: intOpt(m, 'inputSize', options.inputSize, 28),
      activation: enumOpt(m, 'activation', options.activation, ['relu', 'tanh'], 'relu'),
      pool: enumOpt(m, 'pool', options.pool, ['max', 'avg'], 'max'),
    };
    const s = outSize(outSize(outSize(c.inputSize, 2, 2), 5, 1), 2, 2);
    if (s < 1) fail(m, `inputSize ${c.inputSize} is too small: it must be at least 12`);
    this.config = c;
    const act = (): nn.Module => (c.activation === 'relu' ? new nn.ReLU() : new nn.Tanh());
    const pool = (): nn.Module => (c.pool === 'max' ? new nn.MaxPool2d({ kernelSize: 2 }) : new nn.AvgPool2d({ kernelSize: 2 }));
    this.features = this.registerModule('features', new nn.Sequential(
      new nn.Conv2d({ inChannels: c.inChannels, outChannels: 6, kernelSize: 5, padding: 2 }), act(), pool(),
      new nn.Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5 }), act(), pool(),
    ));
    this.flatten = this.registerModule('flatten', new nn.Flatten());
    this.classifier = this.registerModule('classifier', new nn.Sequential(
      new nn.Linear({ inFeatures: 16 * s * s, outFeatures: 120 }), act(),
      new nn.Linear({ inFeatures: 120, outFeatures: 84 }), act(),
      new nn.Linear({ inFeatures: 84, outFeatures: c.numClasses }),
    ));
  }

  forward(x: Tensor): Tensor {
    return chain(x, [(t) => this.features.forward(t), (t) => this.flatten.forward(t), (t) => this.classifier.forward(t)]);
  }
}
