/**
 * A trained-model folder: `config.json` + `model.safetensors` written by saveModel from '@cnn/models/node' (the
 * architecture config and the weights; loadModel rebuilds the model from them), plus the CLI's `cnn.json`: dataset,
 * class names, input normalisation, training history and test accuracy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { nn } from '@cnn/core';
import { loadModel, saveModel, writeFileAtomic, MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE } from '@cnn/models/node';
import { CliError } from './args.js';
import type { ModelName } from './models.js';

export const META_FILE = 'cnn.json';

export interface ModelMeta {
  format: 'cnn-cli/1';
  model: ModelName;
  modelOptions: Record<string, unknown>;
  dataset: string;
  classNames: string[];
  /** [channels, height, width] of one input image. */
  inputShape: [number, number, number];
  normalize: { mean: number; std: number } | null;
  backend?: string;
  epochs?: number;
  history?: unknown;
  testAccuracy?: number;
  trainSeconds?: number;
  savedAt: string;
}

export async function saveModelDir(dir: string, model: nn.Module, meta: ModelMeta): Promise<void> {
  try {
    await saveModel(dir, model);
    await writeFileAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  } catch (err) {
    throw new CliError(`cannot save the model to ${dir}: ${(err as Error).message}`);
  }
}

/** Reads cnn.json, with a clear error for a missing or foreign folder. */
export function readMeta(dir: string): ModelMeta {
  if (!existsSync(dir)) throw new CliError(`model folder ${dir} does not exist (train one with: pnpm cnn train --out ${dir})`);
  for (const f of [META_FILE, MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE]) {
    if (!existsSync(join(dir, f))) throw new CliError(`${dir} is not a model folder: ${f} is missing (train one with: pnpm cnn train --out ${dir})`);
  }
  const path = join(dir, META_FILE);
  try {
    const meta = JSON.parse(readFileSync(path, 'utf8')) as ModelMeta;
    if (meta.format !== 'cnn-cli/1') throw new Error(`unknown format ${JSON.stringify(meta.format)}`);
    return meta;
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`);
  }
}

/** The model in eval mode, with its metadata. */
export async function loadModelDir(dir: string): Promise<{ meta: ModelMeta; model: nn.Module }> {
  const meta = readMeta(dir);
  try {
    const model = await loadModel(dir);
    model.eval();
    return { meta, model };
  } catch (err) {
    throw new CliError(`cannot load the model in ${dir}: ${(err as Error).message}`);
  }
}
