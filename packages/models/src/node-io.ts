/**
 * Node file I/O for models, re-exported by '@cnn/models/node': safetensors files, saveModel / loadModel, PNG output.
 * Writes are atomic: a temporary file in the same directory, then a rename.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CnnError, type nn, type Tensor } from '@cnn/core';
import pngjs from 'pngjs';
import { buildModel, modelConfig, type ModelConfig } from './config.js';
import { buildModelFromFile, encodeModelFile, loadEntries, readModelFile, type ModelMetadata, type ReadModelFileOptions } from './model-file.js';
import { decodeSafetensors, decodeSafetensorsWithMetadata, encodeSafetensors, type DecodedSafetensors, type EncodeOptions, type SafetensorsEntry } from './safetensors.js';

/** Loads decoded safetensors entries into a model (strict); browser-safe, re-exported here where it first lived. */
export { loadEntries };

/** Writes `bytes` to `path` atomically (temporary sibling file, then rename), creating the directory. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Saves tensors (e.g. `model.stateDict()`) as a .safetensors file, atomically. */
export async function saveSafetensors(path: string, dict: Record<string, Tensor | SafetensorsEntry>, metadata?: Record<string, string>, options?: EncodeOptions): Promise<void> {
  await writeFileAtomic(path, await encodeSafetensors(dict, metadata, options));
}

/** Reads and validates a .safetensors file: name → { dtype, shape, data }. Pass to `model.loadStateDict(...)`. */
export async function loadSafetensors(path: string): Promise<Record<string, SafetensorsEntry>> {
  return decodeSafetensors(await readBytes(path, 'loadSafetensors'));
}

/** loadSafetensors plus the file's `__metadata__`. */
export async function loadSafetensorsWithMetadata(path: string): Promise<DecodedSafetensors> {
  return decodeSafetensorsWithMetadata(await readBytes(path, 'loadSafetensors'));
}

async function readBytes(path: string, op: string): Promise<Uint8Array> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw new CnnError(`${op}: cannot read '${path}': ${(err as Error).message}`);
  }
}

export const MODEL_WEIGHTS_FILE = 'model.safetensors';
export const MODEL_CONFIG_FILE = 'config.json';

/** Saves a model to `dir` — an architecture of `models`, or your own made of nn layers and containers (nested
 * nn.Sequential, nn.ModuleList, nn.ModuleDict; see modelConfig) — as `config.json` (its architecture config) and `model.safetensors` (its state
 * dict, with the config also in the safetensors metadata). With `meta` (class names, input shape, normalisation) the
 * metadata also holds `cnn.meta`, and model.safetensors alone is a complete model (readModelFile / buildModelFromFile,
 * or an upload to the web app). */
export async function saveModel(dir: string, model: nn.Module, meta?: ModelMetadata): Promise<void> {
  const config = modelConfig(model);
  const json = JSON.stringify(config, null, 2);
  const weights = meta
    ? await encodeModelFile(model, meta)
    : await encodeSafetensors(model.stateDict(), { format: 'pt', 'cnn.config': JSON.stringify(config) });
  await writeFileAtomic(join(dir, MODEL_WEIGHTS_FILE), weights);
  await writeFileAtomic(join(dir, MODEL_CONFIG_FILE), json + '\n');
}

/** Reads a one-file model (a .safetensors with `cnn.config`, and `cnn.meta` or MNIST defaults), validates it and
 * builds it on the active backend, in eval mode. `opts` as readModelFile's (e.g. `{ config }` from a config.json). */
export async function loadModelFile(path: string, opts?: ReadModelFileOptions): Promise<{ model: nn.Module; meta: ModelMetadata; config: ModelConfig }> {
  const contents = readModelFile(await readBytes(path, 'loadModelFile'), opts);
  return { model: buildModelFromFile(contents), meta: contents.meta, config: contents.config };
}

/** Rebuilds a model saved by saveModel: builds the architecture config.json describes (unknown types and options are
 * errors; nothing is evaluated) and loads the weights (strict: missing, unexpected or mis-shaped tensors are
 * errors). The model comes back in training mode, as a freshly built one; call `.eval()` for inference. */
export async function loadModel(dir: string): Promise<nn.Module> {
  const text = new TextDecoder().decode(await readBytes(join(dir, MODEL_CONFIG_FILE), 'loadModel'));
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new CnnError(`loadModel: ${join(dir, MODEL_CONFIG_FILE)} is not valid JSON: ${(err as Error).message}`);
  }
  const entries = decodeSafetensors(await readBytes(join(dir, MODEL_WEIGHTS_FILE), 'loadModel'));
  const model = buildModel(config);
  try {
    loadEntries(model, entries);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** Pixels for encodePng / savePng: RGBA bytes, row-major (GridImage, readPng's result, canvas ImageData). */
export interface PngImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Encodes an RGBA image ({ width, height, data }: from filtersToGrid / featureMapsToGrid, or readPng) as PNG bytes. */
export function encodePng(image: PngImage): Uint8Array {
  const { width, height, data: rgba } = image ?? ({} as PngImage);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new CnnError(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  if (!rgba || rgba.length !== width * height * 4) throw new CnnError(`encodePng: data must hold width·height·4 = ${width * height * 4} bytes, got ${rgba?.length}`);
  const png = new pngjs.PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const out = pngjs.PNG.sync.write(png);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Writes an RGBA image as a PNG file (atomically). */
export async function savePng(path: string, image: PngImage): Promise<void> {
  await writeFileAtomic(path, encodePng(image));
}
export * from './data/node.js';
