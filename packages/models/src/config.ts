/**
 * Architecture configs: every model in `models` records how it was built in `model.config` (a plain JSON object with
 * a `type`), and `buildModel(config)` builds it again. Configs are data only: the type picks one of a fixed table of
 * builders, every option is validated by its builder, and nothing in a config is ever evaluated as code.
 */
import { CnnError, type nn } from '@cnn/core';
import * as models from './architectures/index.js';
import type {
  AlexNetConfig, AutoencoderConfig, LeNet5Config, MnistCnnConfig, MobileNetV1Config, ResNetConfig, UNetConfig, VggConfig,
} from './architectures/index.js';

export type ModelConfig =
  | LeNet5Config | MnistCnnConfig | VggConfig | AlexNetConfig | ResNetConfig | MobileNetV1Config | AutoencoderConfig | UNetConfig;
export type ModelType = ModelConfig['type'];

/** A module built from a config (every model in `models` is one). */
export interface ConfiguredModule extends nn.Module {
  readonly config: ModelConfig;
}

const BUILDERS: Record<ModelType, (options: Record<string, unknown>) => ConfiguredModule> = {
  lenet5: (o) => models.lenet5(o),
  mnistCnn: (o) => models.mnistCnn(o),
  vgg: (o) => models.vgg(o),
  alexnet: (o) => models.alexnet(o),
  resnet18: (o) => models.resnet18(o),
  resnet34: (o) => models.resnet34(o),
  mobilenetV1: (o) => models.mobilenetV1(o),
  autoencoder: (o) => models.autoencoder(o),
  unet: (o) => models.unet(o),
};

/** The model types buildModel knows. */
export const MODEL_TYPES = Object.keys(BUILDERS) as ModelType[];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Builds the architecture a config describes (fresh, randomly initialised weights). Unknown types and options are
 * errors that name them. */
export function buildModel(config: unknown): ConfiguredModule {
  if (!isPlainObject(config)) {
    throw new CnnError(`buildModel: config must be a plain object like { "type": "resnet18", ... }, got ${config === null ? 'null' : Array.isArray(config) ? 'an array' : typeof config}`);
  }
  const { type, ...options } = config;
  if (typeof type !== 'string') throw new CnnError(`buildModel: config.type must be a string naming the architecture (one of ${MODEL_TYPES.join(', ')}), got ${JSON.stringify(type) ?? String(type)}`);
  if (!Object.prototype.hasOwnProperty.call(BUILDERS, type)) {
    throw new CnnError(`buildModel: unknown model type '${type}'; known types: ${MODEL_TYPES.join(', ')}`);
  }
  return BUILDERS[type as ModelType](options);
}

/** `model.config`, or a clear error for modules that were not built from a config (e.g. a hand-written Sequential). */
export function modelConfig(model: nn.Module): ModelConfig {
  const c = (model as unknown as { config?: unknown }).config;
  if (!isPlainObject(c) || typeof c.type !== 'string' || !Object.prototype.hasOwnProperty.call(BUILDERS, c.type)) {
    throw new CnnError(`${model.typeName}: has no architecture config (model.config with a known type); only models from \`models\` (${MODEL_TYPES.join(', ')}) can be saved with their architecture`);
  }
  return JSON.parse(JSON.stringify(c)) as ModelConfig;
}
