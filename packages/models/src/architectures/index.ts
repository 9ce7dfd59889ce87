/**
 * `models`: ready-made architectures. Each factory returns a Module whose `config` records how it was built, so
 * `buildModel(model.config)` makes the same architecture again (see config.ts, saveModel / loadModel).
 */
import { AlexNet, type AlexNetOptions } from './alexnet.js';
import { ConvAutoencoder, type AutoencoderOptions } from './autoencoder.js';
import { LeNet5, type LeNet5Options } from './lenet.js';
import { MnistCnn, type MnistCnnOptions } from './mnist.js';
import { MobileNetV1, type MobileNetV1Options } from './mobilenet.js';
import { ResNet, type ResNetOptions } from './resnet.js';
import { UNet, type UNetOptions } from './unet.js';
import { VGG, type VggOptions } from './vgg.js';

export { AlexNet, ConvAutoencoder, LeNet5, MnistCnn, MobileNetV1, ResNet, UNet, VGG };
export { BasicBlock } from './resnet.js';
export { DepthwiseSeparableBlock } from './mobilenet.js';
export { VGG16_BLOCKS } from './vgg.js';
export type { AlexNetConfig, AlexNetOptions } from './alexnet.js';
export type { AutoencoderConfig, AutoencoderOptions } from './autoencoder.js';
export type { LeNet5Config, LeNet5Options } from './lenet.js';
export type { MnistCnnConfig, MnistCnnOptions } from './mnist.js';
export type { MobileNetV1Config, MobileNetV1Options } from './mobilenet.js';
export type { ResNetConfig, ResNetOptions } from './resnet.js';
export type { UNetConfig, UNetOptions } from './unet.js';
export type { VggConfig, VggOptions } from './vgg.js';

/** LeNet-5 for 1×28×28 (ReLU and max-pooling by default; `activation: 'tanh'`, `pool: 'avg'` for the original). */
export const lenet5 = (options: LeNet5Options = {}): LeNet5 => new LeNet5(options);
/** The CNN of PyTorch's MNIST example (conv1, conv2, fc1, fc2); returns logits. */
export const mnistCnn = (options: MnistCnnOptions = {}): MnistCnn => new MnistCnn(options);
/** A VGG-style network: ((conv→BN→ReLU)×k → maxpool)×blocks, then the classifier. */
export const vgg = (options: VggOptions = {}): VGG => new VGG(options);
/** torchvision's AlexNet (61,100,840 parameters at 1000 classes). */
export const alexnet = (options: AlexNetOptions = {}): AlexNet => new AlexNet(options);
/** torchvision's ResNet-18 (11,689,512 parameters at 1000 classes); `stem: 'cifar'` for 32×32 inputs. */
export const resnet18 = (options: ResNetOptions = {}): ResNet => new ResNet('resnet18', options);
/** torchvision's ResNet-34 (21,797,672 parameters at 1000 classes). */
export const resnet34 = (options: ResNetOptions = {}): ResNet => new ResNet('resnet34', options);
/** MobileNet v1 with a width multiplier. */
export const mobilenetV1 = (options: MobileNetV1Options = {}): MobileNetV1 => new MobileNetV1(options);
/** A convolutional denoising autoencoder (conv/pool encoder, transposed-conv decoder). */
export const autoencoder = (options: AutoencoderOptions = {}): ConvAutoencoder => new ConvAutoencoder(options);
/** A small U-Net with skip connections; `upsample: 'convTranspose' | 'bilinear'`. */
export const unet = (options: UNetOptions = {}): UNet => new UNet(options);
