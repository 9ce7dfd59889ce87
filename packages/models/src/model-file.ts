/**
 * One-file models: a .safetensors file whose `__metadata__` carries the architecture (`cnn.config`, as saveModel
 * writes it) and what is needed to use the model (`cnn.meta`: class names, input shape, normalisation), so that the
 * file alone can be shared, uploaded to a web page and run. Browser-safe (bytes in, bytes out).
 */
import { CnnError, tensor, type nn, type Tensor } from '@cnn/core';
import { buildModel, isModelType, knownTypes, modelConfig, type ModelConfig } from './config.js';
import { MNIST_CLASSES, MNIST_STATS } from './data/dataset.js';
import { decodeSafetensorsWithMetadata, encodeSafetensors, MAX_HEADER_BYTES, type SafetensorsEntry } from './safetensors.js';

/** What a program needs to know to use a model besides its architecture and weights. */
export interface ModelMetadata {
  /** One name per output class, in output order. */
  classNames: string[];
  /** [channels, height, width] of one input image. */
  inputShape: [number, number, number];
  /** The normalisation the model was trained with (inputs are (v/255 − mean)/std), or null for plain v/255. */
  normalize: { mean: number; std: number } | null;
  /** The dataset it was trained on ('mnist', 'fashion-mnist', …). */
  dataset?: string;
  /** Accuracy on the test split, in [0, 1]. */
  testAccuracy?: number;
  /** Free text on how it was trained (e.g. 'cnn train --epochs 3 --backend workers'). */
  trainedWith?: string;
}

/** A validated model file, ready for buildModelFromFile. */
export interface ModelFileContents {
  config: ModelConfig;
  meta: ModelMetadata;
  entries: Record<string, SafetensorsEntry>;
}

export interface ReadModelFileOptions {
  /** An architecture config (e.g. the config.json saved next to the weights, as an object or JSON text); it takes
   * precedence over the config embedded in the file. */
  config?: unknown;
  /** Metadata fields that take precedence over those embedded in the file. */
  meta?: Partial<ModelMetadata>;
}

/** `__metadata__` keys of a model file. */
export const MODEL_FILE_CONFIG_KEY = 'cnn.config';
export const MODEL_FILE_META_KEY = 'cnn.meta';

/** What a model file without `cnn.meta` is taken to be: an MNIST digit classifier (what `cnn train` made before
 * it embedded metadata). */
export const DEFAULT_MODEL_METADATA: ModelMetadata = {
  classNames: [...MNIST_CLASSES],
  inputShape: [1, 28, 28],
  normalize: { ...MNIST_STATS },
  dataset: 'mnist',
};

const WHERE = 'model file';

function fail(message: string): never {
  throw new CnnError(`${WHERE}: ${message}`);
}

/** Checks a metadata record field by field; `what` names it in errors. */
export function checkModelMetadata(meta: unknown, what = 'meta'): ModelMetadata {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) fail(`${what} must be an object, got ${meta === null ? 'null' : Array.isArray(meta) ? 'an array' : typeof meta}`);
  const m = meta as Record<string, unknown>;
  const { classNames, inputShape, normalize, dataset, testAccuracy, trainedWith } = m;
  if (!Array.isArray(classNames) || classNames.length < 1 || !classNames.every((c) => typeof c === 'string')) {
    fail(`${what}.classNames must be a non-empty list of strings, got ${JSON.stringify(classNames)}`);
  }
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    fail(`${what}.inputShape must be [channels, height, width] with positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (normalize !== null) {
    const n = normalize as { mean?: unknown; std?: unknown } | undefined;
    if (!n || typeof n !== 'object' || typeof n.mean !== 'number' || !Number.isFinite(n.mean) || typeof n.std !== 'number' || !(n.std > 0) || !Number.isFinite(n.std)) {
      fail(`${what}.normalize must be null or { mean, std } with finite numbers and std > 0, got ${JSON.stringify(normalize)}`);
    }
  }
  if (dataset !== undefined && typeof dataset !== 'string') fail(`${what}.dataset must be a string, got ${JSON.stringify(dataset)}`);
  if (testAccuracy !== undefined && (typeof testAccuracy !== 'number' || !(testAccuracy >= 0 && testAccuracy <= 1))) {
    fail(`${what}.testAccuracy must be a number in [0, 1], got ${JSON.stringify(testAccuracy)}`);
  }
  if (trainedWith !== undefined && typeof trainedWith !== 'string') fail(`${what}.trainedWith must be a string, got ${JSON.stringify(trainedWith)}`);
  const out: ModelMetadata = {
    classNames: [...(classNames as string[])],
    inputShape: [...(inputShape as number[])] as [number, number, number],
    normalize: normalize === null ? null : { mean: (normalize as { mean: number }).mean, std: (normalize as { std: number }).std },
  };
  if (dataset !== undefined) out.dataset = dataset as string;
  if (testAccuracy !== undefined) out.testAccuracy = testAccuracy as number;
  if (trainedWith !== undefined) out.trainedWith = trainedWith as string;
  return out;
}

/** The metadata must agree with the architecture: class count, input channels and (where fixed) input size. */
function checkAgreement(config: ModelConfig, meta: ModelMetadata): void {
  const c = config as unknown as Record<string, unknown>;
  if (typeof c.numClasses === 'number' && c.numClasses !== meta.classNames.length) {
    fail(`the ${config.type} architecture has ${c.numClasses} outputs but the metadata names ${meta.classNames.length} classes (${meta.classNames.slice(0, 5).join(', ')}${meta.classNames.length > 5 ? ', …' : ''})`);
  }
  if (typeof c.inChannels === 'number' && c.inChannels !== meta.inputShape[0]) {
    fail(`the ${config.type} architecture takes ${c.inChannels}-channel inputs but the metadata's inputShape is [${meta.inputShape.join(', ')}]`);
  }
  if (typeof c.inputSize === 'number' && (c.inputSize !== meta.inputShape[1] || c.inputSize !== meta.inputShape[2])) {
    fail(`the ${config.type} architecture is sized for ${c.inputSize}×${c.inputSize} inputs but the metadata's inputShape is [${meta.inputShape.join(', ')}]`);
  }
}

/** Encodes a model (an architecture of `models`, or one made of nn layers and containers: see modelConfig) and its
 * metadata as one .safetensors file (state dict + `format: 'pt'`,
 * `cnn.config`, `cnn.meta`); readModelFile / buildModelFromFile read it back. */
export async function encodeModelFile(model: nn.Module, meta: ModelMetadata): Promise<Uint8Array> {
  const config = modelConfig(model);
  const checked = checkModelMetadata(meta, 'encodeModelFile: meta');
  checkAgreement(config, checked);
  return encodeParts(model.stateDict(), config, checked);
}

/** Writes read model-file contents back as one file, without building the model: e.g. the CLI's config.json +
 * model.safetensors pair (read with `readModelFile(bytes, { config })`) turned into the one-file form. */
export async function encodeModelFileContents(contents: ModelFileContents): Promise<Uint8Array> {
  return encodeParts(contents.entries, contents.config, contents.meta);
}

function encodeParts(dict: Record<string, Tensor | SafetensorsEntry>, config: ModelConfig, meta: ModelMetadata): Promise<Uint8Array> {
  return encodeSafetensors(dict, {
    format: 'pt',
    [MODEL_FILE_CONFIG_KEY]: JSON.stringify(config),
    [MODEL_FILE_META_KEY]: JSON.stringify(meta),
  });
}

function looksLikeSafetensors(b: Uint8Array): boolean {
  if (b.length < 9) return false;
  const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(MAX_HEADER_BYTES) && b[8] === 0x7b;
}

/** Names a non-safetensors file from its first bytes, for a clear error when the wrong file is chosen. */
function sniffOtherFormat(b: Uint8Array): string | null {
  const starts = (...sig: number[]): boolean => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'a GIF image';
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'a WebP image';
  if (starts(0x42, 0x4d)) return 'a BMP image';
  if (starts(0x25, 0x50, 0x44, 0x46)) return 'a PDF document';
  if (starts(0x1f, 0x8b)) return 'a gzip archive';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a zip archive (a PyTorch .pt/.pth checkpoint is one; convert it to .safetensors)';
  if (starts(0x80) && b[1] !== undefined && b[1] <= 5) return 'a Python pickle (a PyTorch checkpoint? convert it to .safetensors)';
  let i = 0;
  while (i < b.length && i < 64 && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09 || b[i] === 0xef || b[i] === 0xbb || b[i] === 0xbf)) i++;
  if (b[i] === 0x7b || b[i] === 0x5b) return 'a JSON text file (config.json? choose the .safetensors weights; the config can go along with them)';
  if (b[i] === 0x3c) return 'an HTML/XML text file';
  return null;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return fail(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Reads and validates a model file before anything is built: the bytes must be a complete safetensors file (PNG,
 * JPEG, JSON, zip and other files are named as such), the architecture comes from `opts.config` or the embedded
 * `cnn.config` (a known type), the metadata from `cnn.meta` (MNIST defaults when absent) overridden by `opts.meta`,
 * and the metadata must agree with the architecture. Errors are CnnErrors starting with "model file:".
 */
export function readModelFile(bytes: Uint8Array, opts: ReadModelFileOptions = {}): ModelFileContents {
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (opts === null || typeof opts !== 'object') fail(`readModelFile options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  if (bytes.length === 0) fail('the file is empty (0 bytes)');
  // A safetensors file starts with a sane little-endian header length and then '{'; only when it does not are the
  // first bytes matched against other formats (a header length like 0x180 would otherwise read as a pickle).
  if (!looksLikeSafetensors(bytes)) {
    const other = sniffOtherFormat(bytes);
    if (other) fail(`this is ${other}, not a .safetensors model`);
  }
  let tensors: Record<string, SafetensorsEntry>;
  let metadata: Record<string, string>;
  try {
    ({ tensors, metadata } = decodeSafetensorsWithMetadata(bytes));
  } catch (err) {
    const why = (err as Error).message.replace(/^decodeSafetensors: /, '');
    return fail(`not a valid .safetensors file (${why})`);
  }
  if (Object.keys(tensors).length === 0) fail('the file holds no tensors');

  let config: unknown;
  if (opts.config !== undefined) {
    config = typeof opts.config === 'string' ? parseJson(opts.config, 'the config given with the file') : opts.config;
  } else if (metadata[MODEL_FILE_CONFIG_KEY] !== undefined) {
    config = parseJson(metadata[MODEL_FILE_CONFIG_KEY], `the embedded ${MODEL_FILE_CONFIG_KEY}`);
  } else {
    fail(`the file has no embedded architecture (${MODEL_FILE_CONFIG_KEY} in its metadata); give the config.json saved next to it too`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) fail(`the architecture config must be an object like { "type": "mnistCnn", ... }, got ${JSON.stringify(config)}`);
  const type = (config as { type?: unknown }).type;
  if (!isModelType(type)) fail(`unknown architecture ${JSON.stringify(type)}; known: ${knownTypes()}`);

  let embedded: Record<string, unknown> = {};
  if (metadata[MODEL_FILE_META_KEY] !== undefined) {
    const parsed = parseJson(metadata[MODEL_FILE_META_KEY], `the embedded ${MODEL_FILE_META_KEY}`);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail(`the embedded ${MODEL_FILE_META_KEY} must be an object, got ${JSON.stringify(parsed)}`);
    embedded = parsed as Record<string, unknown>;
  }
  if (opts.meta !== undefined && (opts.meta === null || typeof opts.meta !== 'object')) fail(`options.meta must be an object, got ${JSON.stringify(opts.meta)}`);
  const base = metadata[MODEL_FILE_META_KEY] !== undefined ? {} : DEFAULT_MODEL_METADATA;
  const meta = checkModelMetadata({ ...base, ...embedded, ...opts.meta }, metadata[MODEL_FILE_META_KEY] !== undefined ? MODEL_FILE_META_KEY : 'meta');
  checkAgreement(config as ModelConfig, meta);
  return { config: JSON.parse(JSON.stringify(config)) as ModelConfig, meta, entries: tensors };
}

const LIST = 4;

/** A config in a few words, for messages: the zoo's with their options, a layer config by its type and size. */
export function describeConfig(config: ModelConfig): string {
  const c = config as unknown as Record<string, unknown>;
  if (Array.isArray(c.layers)) return `a ${config.type} of ${c.layers.length} layer${c.layers.length === 1 ? '' : 's'}`;
  if (Array.isArray(c.modules)) return `a ${config.type} of ${c.modules.length} module${c.modules.length === 1 ? '' : 's'}`;
  if (c.modules && typeof c.modules === 'object') return `a ${config.type} of ${Object.keys(c.modules).join(', ')}`;
  return `${config.type} (${JSON.stringify(config)})`;
}
function list(names: string[]): string {
  return names.slice(0, LIST).join(', ') + (names.length > LIST ? `, … (${names.length} in all)` : '');
}

/** Loads decoded safetensors entries into a model (strict), converting through tensors (faster than plain arrays
 * for large models). Float entries go to float32, integer entries to int32. */
export function loadEntries(model: nn.Module, entries: Record<string, SafetensorsEntry>): void {
  const made: Record<string, Tensor> = {};
  try {
    const own = model.stateDict();
    for (const [k, e] of Object.entries(entries)) {
      const target = own[k];
      const isInt = target ? target.dtype === 'int32' : !e.dtype.startsWith('F') && e.dtype !== 'BF16';
      const data = isInt ? Int32Array.from(e.data as ArrayLike<number>) : e.data instanceof Float32Array ? e.data : Float32Array.from(e.data as ArrayLike<number>);
      made[k] = tensor(data, e.shape, isInt ? 'int32' : 'float32');
    }
    model.loadStateDict(made);
  } finally {
    for (const t of Object.values(made)) t.dispose();
  }
}

/**
 * Builds the architecture of a read model file on the active backend and loads its weights strictly: missing,
 * unexpected or mis-shaped tensors are errors naming them (checked before any weight is copied), and the half-built
 * model is disposed. Returns the model in eval mode.
 */
export function buildModelFromFile(contents: ModelFileContents): nn.Module {
  if (!contents || typeof contents !== 'object' || !contents.entries || !contents.config) fail('buildModelFromFile expects the result of readModelFile');
  let model: nn.Module;
  try {
    model = buildModel(contents.config);
  } catch (err) {
    return fail(`its architecture config is invalid: ${(err as Error).message}`);
  }
  try {
    const own = model.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in contents.entries));
    const unexpected = Object.keys(contents.entries).filter((k) => !(k in own));
    const problems: string[] = [];
    if (missing.length) problems.push(`missing tensors ${list(missing)}`);
    if (unexpected.length) problems.push(`unexpected tensors ${list(unexpected)}`);
    for (const [k, t] of Object.entries(own)) {
      const e = contents.entries[k];
      if (e && e.shape.join() !== t.shape.join()) problems.push(`'${k}' has shape [${e.shape.join(', ')}] but the architecture needs [${t.shape.join(', ')}]`);
    }
    if (problems.length) {
      fail(`the weights belong to another architecture than ${describeConfig(contents.config)}: ${problems.slice(0, LIST).join('; ')}${problems.length > LIST ? '; …' : ''}`);
    }
    loadEntries(model, contents.entries);
  } catch (err) {
    model.dispose();
    throw err;
  }
  model.eval();
  return model;
}
