/**
 * Turning the files a user picked into one model file. Accepted: one `.safetensors` file made by the page (or by
 * encodeModelFile), one `.onnx` file (run as it is: src/onnx-file.ts), or the CLI's model folder: `config.json` +
 * `model.safetensors`, optionally with `cnn.json` (class names, normalisation, test accuracy). The pair is converted into a single file (encodeModelFile), so that download,
 * IndexedDB and backend switches all handle one format.
 */
import { encodeModelFileContents, readModelFile, type ModelMetadata } from '@cnn/models';
import type { ModelFile } from './model-file.js';

async function bytesOf(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

async function jsonOf(file: File): Promise<unknown> {
  const text = await file.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`model upload: ${file.name} is not valid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

const lower = (f: File): string => f.name.toLowerCase();

/**
 * The model metadata in the CLI's cnn.json (which also holds the training history and more): the fields a model file
 * keeps, passed on as found (readModelFile validates them), and `trainedWith` told from how the CLI trained it.
 */
function metaFromCliJson(json: unknown, name: string): Partial<ModelMetadata> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`model upload: ${name} must hold a JSON object`);
  const j = json as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ['classNames', 'inputShape', 'normalize', 'dataset', 'testAccuracy', 'trainedWith']) if (j[key] !== undefined) out[key] = j[key];
  if (out.trainedWith === undefined && typeof j.model === 'string') {
    const parts = [`cnn train --model ${j.model}`];
    if (typeof j.dataset === 'string') parts.push(`--dataset ${j.dataset}`);
    if (typeof j.epochs === 'number') parts.push(`--epochs ${j.epochs}`);
    if (typeof j.backend === 'string') parts.push(`--backend ${j.backend}`);
    out.trainedWith = parts.join(' ');
  }
  return out as Partial<ModelMetadata>;
}

/**
 * The picked files as one model file, re-encoded from what readModelFile validated (the model is not built here:
 * `setModel` builds it once and refuses weights of another architecture). Rejects with a message that names the file
 * and what is wrong; nothing about the current model changes.
 */
export async function modelFileFromUpload(files: readonly File[]): Promise<ModelFile> {
  if (files.length === 0) throw new Error('model upload: no file chosen');
  if (files.length === 1) {
    const [file] = files;
    if (lower(file) === 'config.json' || lower(file) === 'cnn.json') {
      throw new Error(`model upload: ${file.name} alone holds no weights; choose it together with model.safetensors (select both files)`);
    }
    if (lower(file).endsWith('.onnx')) return { bytes: await bytesOf(file), source: file.name, format: 'onnx' };
    // setModel reads it (readModelFile: clear errors for PNGs, truncated or foreign files, files without a config).
    return { bytes: await bytesOf(file), source: file.name };
  }
  if (files.some((f) => lower(f).endsWith('.onnx'))) throw new Error(`model upload: an .onnx file holds a whole model; choose it alone (got ${files.map((f) => f.name).join(', ')})`);
  const config = files.find((f) => lower(f) === 'config.json');
  const meta = files.find((f) => lower(f) === 'cnn.json');
  const weights = files.filter((f) => f !== config && f !== meta);
  if (weights.length !== 1 || !lower(weights[0]).endsWith('.safetensors')) {
    throw new Error(
      `model upload: expected one .safetensors file, or the CLI's config.json + model.safetensors (and optionally cnn.json); got ${files.map((f) => f.name).join(', ')}`,
    );
  }
  const bytes = await bytesOf(weights[0]);
  const contents = readModelFile(bytes, {
    config: config ? await jsonOf(config) : undefined,
    meta: meta ? metaFromCliJson(await jsonOf(meta), meta.name) : undefined,
  });
  return { bytes: await encodeModelFileContents(contents), source: files.map((f) => f.name).join(' + ') };
}
