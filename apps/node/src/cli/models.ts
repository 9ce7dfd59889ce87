/** The CLI's model names → the factories of @cnn/models' `models` namespace. */
import type { nn } from '@cnn/core';
import * as modelsPkg from '@cnn/models';
import { CliError } from './args.js';

export const MODEL_NAMES = ['lenet5', 'mnist-cnn', 'vgg', 'alexnet', 'resnet18', 'mobilenet', 'autoencoder', 'unet'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The function name each CLI name maps to in @cnn/models (models.<fn>() or a top-level export). */
const FACTORY: Record<ModelName, string> = {
  lenet5: 'lenet5', 'mnist-cnn': 'mnistCnn', vgg: 'vgg', alexnet: 'alexnet', resnet18: 'resnet18', mobilenet: 'mobilenetV1',
  autoencoder: 'autoencoder', unet: 'unet',
};

type Factory = (opts?: Record<string, unknown>) => nn.Module;

function findFactory(name: ModelName): Factory | undefined {
  const pkg = modelsPkg as unknown as Record<string, unknown>;
  const ns = (pkg.models ?? {}) as Record<string, unknown>;
  const fn = ns[FACTORY[name]] ?? pkg[FACTORY[name]];
  return typeof fn === 'function' ? (fn as Factory) : undefined;
}

export interface BuiltModel {
  model: nn.Module;
  /** The options it was built with, to rebuild it for eval/predict. */
  options: Record<string, unknown>;
}

/**
 * Builds a model for `inChannels`×`inputSize`² inputs and `numClasses` classes, with `extra` factory options on top
 * (e.g. { blocks: [[16], [32]] } for a small VGG). Architectures that take no `inputSize` are built without it.
 */
export function buildModel(name: ModelName, spec: { numClasses: number; inChannels: number; inputSize: number; extra?: Record<string, unknown> }): BuiltModel {
  const factory = findFactory(name);
  if (!factory) throw new CliError(`model '${name}' is not available: @cnn/models does not export models.${FACTORY[name]}()`);
  // Image-to-image models (autoencoder, U-Net) have no classes: their output has the input's channels.
  const base = name === 'autoencoder' ? { inChannels: spec.inChannels }
    : name === 'unet' ? { inChannels: spec.inChannels, outChannels: spec.inChannels }
    : { numClasses: spec.numClasses, inChannels: spec.inChannels };
  const attempts = [{ ...base, inputSize: spec.inputSize, ...spec.extra }, { ...base, ...spec.extra }];
  let first: unknown;
  for (const options of attempts) {
    try {
      return { model: factory(options), options };
    } catch (err) {
      first ??= err;
      if (!/inputSize/.test((err as Error).message)) break; // only retry for an architecture without that option
    }
  }
  throw new CliError(`cannot build model '${name}': ${(first as Error).message}`);
}
