/**
 * A trained-model folder: `config.json` + `model.safetensors` written by saveModel from '@cnn/models/node' (the
 * architecture config and the weights; loadModel rebuilds the model from them), plus the CLI's `cnn.json`: dataset,
 * class names, input normalisation, training history and test accuracy. model.safetensors also embeds the
 * architecture (`cnn.config`) and what inference needs (`cnn.meta`), so that file alone is a complete model: the
 * commands take it with `--model <file.safetensors>` (and the web app as an upload).
 *
 * A folder written by saveModel alone (a user's own architecture, e.g. an nn.Sequential) has no cnn.json: the commands
 * read it as its model.safetensors with config.json, the class names and input shape coming from the file's `cnn.meta`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { nn } from '@cnn/core';
import type { ModelMetadata } from '@cnn/models';
import { loadModel, loadModelFile, saveModel, writeFileAtomic, MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE } from '@cnn/models/node';
import { CliError } from './args.js';
import type { ModelName } from './models.js';
import { isOnnxPath, loadOnnxFile } from './onnx-model.js';

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
  /** 'denoise' for the autoencoder / U-Net (absent: a classifier). */
  task?: 'denoise';
  /** Denoisers: the Gaussian noise they were trained on (images in [0, 1]). */
  noise?: { std: number; clamp: boolean };
  testMse?: number;
  testPsnr?: number;
  noisyPsnr?: number;
  savedAt: string;
}

/** The part of cnn.json that travels inside model.safetensors (`cnn.meta`). */
export function fileMetadata(meta: ModelMeta): ModelMetadata {
  const out: ModelMetadata = { classNames: meta.classNames, inputShape: meta.inputShape, normalize: meta.normalize, dataset: meta.dataset };
  if (meta.testAccuracy !== undefined) out.testAccuracy = meta.testAccuracy;
  const options = Object.keys(meta.modelOptions).length ? ` ${JSON.stringify(meta.modelOptions)}` : '';
  const noise = meta.noise ? `, denoising (noise std ${meta.noise.std}${meta.noise.clamp ? ', clamped' : ''})${meta.testPsnr !== undefined ? `, test PSNR ${meta.testPsnr.toFixed(2)} dB` : ''}` : '';
  out.trainedWith = `pnpm cnn train: ${meta.model}${options}${noise}, ${meta.epochs ?? '?'} epoch(s), backend ${meta.backend ?? '?'}`;
  return out;
}

export async function saveModelDir(dir: string, model: nn.Module, meta: ModelMeta): Promise<void> {
  try {
    await saveModel(dir, model, fileMetadata(meta));
    await writeFileAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  } catch (err) {
    throw new CliError(`cannot save the model to ${dir}: ${(err as Error).message}`);
  }
}

/** Checks a model folder: config.json and model.safetensors (as saveModel writes them) must be there. */
function checkModelFolder(dir: string): void {
  if (!existsSync(dir)) throw new CliError(`model folder ${dir} does not exist (train one with: pnpm cnn train --out ${dir})`);
  for (const f of [MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE]) {
    if (!existsSync(join(dir, f))) throw new CliError(`${dir} is not a model folder: ${f} is missing (train one with: pnpm cnn train --out ${dir}, or save one with saveModel)`);
  }
}

/** Reads cnn.json, with a clear error for a missing or foreign folder. */
export function readMeta(dir: string): ModelMeta {
  checkModelFolder(dir);
  if (!existsSync(join(dir, META_FILE))) throw new CliError(`${dir} is not a model folder of the CLI: ${META_FILE} is missing (train one with: pnpm cnn train --out ${dir})`);
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

/** A model ready for inference, from either form, with what the commands need to know about it. */
export interface LoadedModel {
  model: nn.Module;
  /** Architecture name for messages ('lenet5', or the config type of a single file). */
  name: string;
  /** Where it came from, for messages. */
  source: string;
  classNames: string[];
  inputShape: [number, number, number];
  normalize: { mean: number; std: number } | null;
  dataset?: string;
  /** A model folder's cnn.json: the noise a denoiser was trained on. */
  noise?: { std: number; clamp: boolean };
  /** An .onnx model: the graph's fixed batch size (null: any), and whether it lacks cnn's metadata. */
  onnx?: { batch: number | null; foreign: boolean };
}

/** What a command line names: a model folder, a .safetensors file (with an optional config.json), or an .onnx file. */
export type ModelSource = { dir: string } | { file: string; config?: string; source?: string } | { onnx: string };

export const MODEL_SOURCE_OPTIONS = {
  'model-dir': { type: 'string', arg: '<dir>', help: 'model folder written by train --out' },
  model: { type: 'string', arg: '<file>', help: 'a single .safetensors model file (e.g. <dir>/model.safetensors, or one downloaded from the web app), or an .onnx file' },
  config: { type: 'string', arg: '<config.json>', help: "with --model: the architecture, for a .safetensors file that does not embed it" },
} as const;

/** Which form the command line names, checked before any loading: exactly one of --model-dir and --model. A folder
 * without cnn.json (written by saveModel, e.g. a user's own nn.Sequential) is read as its model.safetensors with its
 * config.json. */
export function modelSource(cmd: string, v: Record<string, unknown>): ModelSource {
  const dir = v['model-dir'];
  const file = v.model;
  if (dir !== undefined && file !== undefined) throw new CliError(`${cmd}: give either --model-dir <dir> or --model <file.safetensors>, not both`, 2);
  if (v.config !== undefined && file === undefined) throw new CliError(`${cmd}: --config goes with --model <file.safetensors>`, 2);
  if (dir !== undefined) {
    const d = String(dir);
    checkModelFolder(d);
    if (!existsSync(join(d, META_FILE))) return { file: join(d, MODEL_WEIGHTS_FILE), config: join(d, MODEL_CONFIG_FILE), source: d };
    readMeta(d); // fail on a bad folder before loading anything
    return { dir: d };
  }
  if (file === undefined) throw new CliError(`${cmd}: --model-dir <dir> or --model <file.safetensors> is required`, 2);
  const path = String(file);
  if (!existsSync(path)) throw new CliError(`${cmd}: model file ${path} does not exist`);
  if (statSync(path).isDirectory()) throw new CliError(`${cmd}: ${path} is a folder; use --model-dir ${path} (or --model ${join(path, MODEL_WEIGHTS_FILE)})`, 2);
  if (isOnnxPath(path)) {
    if (v.config !== undefined) throw new CliError(`${cmd}: --config is for .safetensors files; an .onnx file holds its whole graph`, 2);
    return { onnx: path };
  }
  if (v.config !== undefined && !existsSync(String(v.config))) throw new CliError(`${cmd}: config file ${String(v.config)} does not exist`);
  return { file: path, ...(v.config !== undefined ? { config: String(v.config) } : {}) };
}

/** Loads the model a command line names (see modelSource), in eval mode, on the active backend. `normalize` (an .onnx
 * file's --normalize) overrides the normalisation its metadata records. */
export async function loadModelSource(src: ModelSource, normalize?: { mean: number; std: number } | null): Promise<LoadedModel> {
  if ('onnx' in src) {
    const { batch, foreign, ...m } = await loadOnnxFile(src.onnx, normalize);
    return { ...m, onnx: { batch, foreign } };
  }
  if ('dir' in src) {
    const { meta, model } = await loadModelDir(src.dir);
    return {
      model, name: meta.model, source: src.dir, classNames: meta.classNames, inputShape: meta.inputShape, normalize: meta.normalize, dataset: meta.dataset,
      ...(meta.noise ? { noise: meta.noise } : {}),
    };
  }
  let config: unknown;
  if (src.config !== undefined) {
    try {
      config = JSON.parse(readFileSync(src.config, 'utf8'));
    } catch (err) {
      throw new CliError(`${src.config}: not a readable JSON config: ${(err as Error).message}`);
    }
  }
  try {
    const { model, meta, config: used } = await loadModelFile(src.file, config === undefined ? {} : { config });
    return { model, name: used.type, source: src.source ?? src.file, classNames: meta.classNames, inputShape: meta.inputShape, normalize: meta.normalize, dataset: meta.dataset };
  } catch (err) {
    const message = (err as Error).message;
    const hint = /no embedded architecture/.test(message) ? ' (pass it with --config <config.json>)' : '';
    throw new CliError(`cannot load ${src.source ?? src.file}: ${message}${hint}`);
  }
}
