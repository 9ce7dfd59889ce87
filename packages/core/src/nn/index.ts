export { Module } from './module.js';
export type { StateValue, LoadStateDictResult } from './module.js';
export { Sequential, ModuleList, ModuleDict } from './container.js';
export { moduleConfig, buildModule, registerLayer, layerTypes } from './config.js';
export type { ModuleConfig, JsonValue, LayerClass, BuildModuleOptions, ModuleConfigOptions } from './config.js';
export { Conv1d, Conv2d, DepthwiseSeparableConv2d, SpatialSeparableConv2d } from './conv.js';
export type { Conv1dConfig, Conv2dConfig, DepthwiseSeparableConv2dConfig, SpatialSeparableConv2dConfig } from './conv.js';
export { ConvTranspose1d, ConvTranspose2d, Upsample } from './conv-transpose.js';
export type { ConvTranspose1dConfig, ConvTranspose2dConfig } from './conv-transpose.js';
export {
  MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, GlobalAvgPool2d, BatchNorm1d, BatchNorm2d,
  Dropout, Linear, Flatten, Identity, ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax,
} from './layers.js';
export type { BatchNormConfig, LinearConfig } from './layers.js';
export { GroupNorm, LayerNorm, InstanceNorm2d } from './norm.js';
export type { GroupNormConfig, LayerNormConfig, InstanceNormConfig } from './norm.js';
export { Dropout2d, ZeroPad2d, ReflectionPad2d, ReplicationPad2d, PixelShuffle, PixelUnshuffle, ChannelShuffle } from './spatial.js';
export type { Pad2dConfig, Padding2d } from './spatial.js';
export { ReLU6, Hardtanh, Hardswish, Hardsigmoid, SiLU, Mish, Softplus, PReLU } from './activations.js';
export type { HardtanhOptions, SoftplusOptions, PReLUOptions } from './activations.js';
export { Unfold, Fold } from './unfold.js';
export { kaimingUniform, kaimingUniformDefault } from './init.js';
export { convBnActivation, runChain, OBSERVING_FORWARD } from './fusion.js';
