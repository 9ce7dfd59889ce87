import { nn, type Tensor } from '@cnn/core';
import { chain, checkKeys, fail, intOpt, numOpt, outSize } from './util.js';

export interface MnistCnnConfig {
  type: 'mnistCnn';
  numClasses: number;
  inChannels: number;
  inputSize: number;
  dropout1: number;
  dropout2: number;
}
export type MnistCnnOptions = Partial<Omit<MnistCnnConfig, 'type'>>;

/**
 * The network of PyTorch's MNIST example (pytorch/examples, mnist/main.py): conv1 1→32 3×3, relu, conv2 32→64 3×3,
 * relu, max-pool 2, dropout1 0.25, flatten, fc1 9216→128, relu, dropout2 0.5, fc2 128→10. Parameter names are the
 * example's (conv1, conv2, fc1, fc2, so its state dict loads as is). Differences: it returns logits (the example
 * ends with log_softmax for nll_loss; use crossEntropy on these, which is the same), and the activations, pooling
 * and flatten are parameterless modules (relu1, relu2, pool, flatten, relu3) so summaries and feature maps see them.
 */
export class MnistCnn extends nn.Module {
  static readonly layerName = 'MnistCnn';
  readonly config: MnistCnnConfig;
  readonly conv1: nn.Conv2d;
  readonly relu1 = new nn.ReLU();
  readonly conv2: nn.Conv2d;
  readonly relu2 = new nn.ReLU();
  readonly pool = new nn.MaxPool2d({ kernelSize: 2 });
  readonly dropout1: nn.Dropout;
  readonly flatten = new nn.Flatten();
  readonly fc1: nn.Linear;
  readonly relu3 = new nn.ReLU();
  readonly dropout2: nn.Dropout;
  readonly fc2: nn.Linear;

  constructor(options: MnistCnnOptions = {}) {
    super();
    const m = 'mnistCnn';
    checkKeys(m, options, ['numClasses', 'inChannels', 'inputSize', 'dropout1', 'dropout2']);
    const c: MnistCnnConfig = {
      type: 'mnistCnn',
      numClasses: intOpt(m, 'numClasses', options.numClasses, 10),
      inChannels: intOpt(m, 'inChannels', options.inChannels, 1),
      inputSize: intOpt(m, 'inputSize', options.inputSize, 28),
      dropout1: numOpt(m, 'dropout1', options.dropout1, 0.25, 0, 1),
      dropout2: numOpt(m, 'dropout2', options.dropout2, 0.5, 0, 1),
    };
    const s = outSize(c.inputSize - 4, 2, 2);
    if (s < 1) fail(m, `inputSize ${c.inputSize} is too small: it must be at least 6`);
    this.config = c;
    // Registration order gives the example's state-dict order: conv1, conv2, fc1, fc2.
    this.conv1 = this.registerModule('conv1', new nn.Conv2d({ inChannels: c.inChannels, outChannels: 32, kernelSize: 3, stride: 1 }));
    this.registerModule('relu1', this.relu1);
    this.conv2 = this.registerModule('conv2', new nn.Conv2d({ inChannels: 32, outChannels: 64, kernelSize: 3, stride: 1 }));
    this.registerModule('relu2', this.relu2);
    this.registerModule('pool', this.pool);
    this.dropout1 = this.registerModule('dropout1', new nn.Dropout({ p: c.dropout1 }));
    this.registerModule('flatten', this.flatten);
    this.fc1 = this.registerModule('fc1', new nn.Linear({ inFeatures: 64 * s * s, outFeatures: 128 }));
    this.registerModule('relu3', this.relu3);
    this.dropout2 = this.registerModule('dropout2', new nn.Dropout({ p: c.dropout2 }));
    this.fc2 = this.registerModule('fc2', new nn.Linear({ inFeatures: 128, outFeatures: c.numClasses }));
  }

  forward(x: Tensor): Tensor {
    return chain(x, [this.conv1, this.relu1, this.conv2, this.relu2, this.pool, this.dropout1, this.flatten, this.fc1, this.relu3, this.dropout2, this.fc2].map((l) => (t: Tensor) => l.forward(t)));
  }
}
