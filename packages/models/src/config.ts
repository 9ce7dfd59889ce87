/**
 * Architecture configs: every model in `models` records how it was built in `model.config` (a plain JSON object with
 * a `type`), a model of your own made of nn layers and containers is written by nn.moduleConfig, and
 * `buildModel(config)` builds either again. Configs are data only: the type picks one of a fixed table of builders
 * (the architectures of `models`, the nn layers), every option is validated, and nothing in a config is ever
 * evaluated as code.
 */
import { CnnError, nn } from '@cnn/core';
import * as models from './architectures/index.js';
import type {
  AlexNetConfig, AutoencoderConfig, LeNet5Config, MnistCnnConfig, MobileNetV1Config, ResNetConfig, UNetConfig, VggConfig,
} from './architectures/index.js';

/** The architectures of `models`, by their config. */
export type ZooConfig =
  | LeNet5Config | MnistCnnConfig | VggConfig | AlexNetConfig | ResNetConfig | MobileNetV1Config | AutoencoderConfig | UNetConfig;
/** What buildModel takes and saveModel writes: an architecture of `models`, or a model of your own made of nn layers
 * and containers (nn.ModuleConfig: `{ type: 'Sequential', layers: [...] }`, as nn.moduleConfig writes it). */
export type ModelConfig = ZooConfig | nn.ModuleConfig;
export type ModelType = ZooConfig['type'];

/** A module built from a config of `models` (every model in `models` is one). */
export interface ConfiguredModule extends nn.Module {
  readonly config: ZooConfig;
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

/** The model types of `models` buildModel knows (it also takes every nn layer type: nn.layerTypes()). */
export const MODEL_TYPES = Object.keys(BUILDERS) as ModelType[];

const isZooType = (type: unknown): type is ModelType => typeof type === 'string' && Object.prototype.hasOwnProperty.call(BUILDERS, type);

/** True when `type` names something buildModel builds: an architecture of `models` or an nn layer / container. */
export function isModelType(type: unknown): boolean {
  return isZooType(type) || (typeof type === 'string' && nn.layerTypes().includes(type));
}

/** Known types for error messages. */
export function knownTypes(): string {
  return `${MODEL_TYPES.join(', ')}, or a layer config (${nn.layerTypes().slice(-3).join(', ')}, ${nn.layerTypes().slice(0, -3).join(', ')})`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The architectures of `models` as extra types of nn.buildModule (e.g. a resnet18 inside a Sequential). */
const ZOO_TYPES: Record<string, (options: Record<string, unknown>, path: string) => nn.Module> = Object.fromEntries(
  MODEL_TYPES.map((t) => [t, (o: Record<string, unknown>, path: string) => {
    try {
      return BUILDERS[t](o);
    } catch (err) {
      if (err instanceof CnnError) throw new CnnError(`buildModel: ${path || 'config'} (${t}): ${err.message}`);
      throw err;
    }
  }]),
);

/**
 * Builds the architecture a config describes (fresh, randomly initialised weights): an architecture of `models`
 * (`{ type: 'resnet18', numClasses: 10 }`) or a model made of nn layers and containers, as `modelConfig` /
 * `nn.moduleConfig` write it (`{ type: 'Sequential', layers: [...] }`). Unknown types and options are errors that
 * name them and where they are; nothing in a config is evaluated.
 */
export function buildModel(config: ZooConfig): ConfiguredModule;
export function buildModel(config: unknown): nn.Module;
export function buildModel(config: unknown): nn.Module {
  if (!isPlainObject(config)) {
    throw new CnnError(`buildModel: config must be a plain object like { "type": "resnet18", ... }, got ${config === null ? 'null' : Array.isArray(config) ? 'an array' : typeof config}`);
  }
  const { type, ...options } = config;
  if (typeof type !== 'string') throw new CnnError(`buildModel: config.type must be a string naming the architecture (one of ${knownTypes()}), got ${JSON.stringify(type) ?? String(type)}`);
  if (isZooType(type)) return BUILDERS[type](options);
  if (!isModelType(type)) throw new CnnError(`buildModel: unknown model type '${type}'; known types: ${knownTypes()}`);
  try {
    return nn.buildModule(config, { types: ZOO_TYPES });
  } catch (err) {
    if (err instanceof CnnError && err.message.startsWith('buildModule: ')) throw new CnnError(`buildModel: ${err.message.slice('buildModule: '.length)}`);
    throw err;
  }
}

/** The zoo config a module of `models` records (`model.config`), copied, or undefined for any other module. */
function zooConfigOf(model: nn.Module): ZooConfig | undefined {
  const c = (model as unknown as { config?: unknown }).config;
  return isPlainObject(c) && isZooType(c.type) ? (JSON.parse(JSON.stringify(c)) as ZooConfig) : undefined;
}

/**
 * The architecture config of a model, for saveModel and buildModel: `model.config` for the architectures of
 * `models`, else the config of a model made of nn layers and containers (nn.moduleConfig; a `models` architecture
 * inside it is written by its own config). A custom Module subclass with its own forward is an error naming it.
 */
export function modelConfig(model: nn.Module): ModelConfig {
  if (!(model instanceof nn.Module)) throw new CnnError(`modelConfig: expects a Module, got ${model === null ? 'null' : typeof model}`);
  const zoo = zooConfigOf(model);
  if (zoo) return zoo;
  try {
    return nn.moduleConfig(model, { describe: (m) => zooConfigOf(m) as unknown as nn.ModuleConfig | undefined });
  } catch (err) {
    if (err instanceof CnnError && err.message.startsWith('moduleConfig: ')) {
      throw new CnnError(`modelConfig: ${err.message.slice('moduleConfig: '.length)} (the architectures of \`models\` — ${MODEL_TYPES.join(', ')} — save as they are)`);
    }
    throw err;
  }
}
