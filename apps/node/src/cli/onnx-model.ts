/**
 * ONNX files in the CLI: `export` writes a trained model as ONNX, `predict` / `eval` take an `.onnx` file wherever
 * they take a model, `summary --onnx` prints its nodes.
 *
 * An ONNX graph says what its input shape is but not what the outputs mean or how pixels were scaled. `cnn export`
 * therefore writes the model's metadata into the file's metadata_props: `cnn.meta` (the same JSON record a
 * .safetensors model file keeps: class names, input shape, normalisation, dataset) and `cnn.model` (the architecture
 * name). A file from elsewhere (torch.onnx.export, …) has neither: its classes are then named by output index
 * ('0', '1', …), its input shape is the graph's own input [N, C, H, W], and its pixels are fed as v/255 unless
 * `--normalize` says otherwise.
 */
import { readFileSync, statSync } from 'node:fs';
import { noGrad, zeros, type nn } from '@cnn/core';
import { checkModelMetadata, MNIST_STATS, FASHION_MNIST_STATS, type ModelMetadata } from '@cnn/models';
import { importOnnx, ONNX_META_KEY, readOnnxInfo, type OnnxInfo } from '@cnn/onnx';
import { CliError } from './args.js';
import type { LoadedModel } from './model-dir.js';

/** metadata_props key for the architecture name ('lenet5', 'Sequential', …). */
export const ONNX_MODEL_KEY = 'cnn.model';

export const isOnnxPath = (path: string): boolean => /\.onnx$/i.test(path);

/** An OnnxError's message as one line: "importOnnx: " dropped, the list of unsupported operators kept (joined with
 * '; '), the long list of supported ones dropped. */
export function onnxMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n').filter((l) => !l.startsWith('Supported: ')).map((l) => l.trim()).filter((l) => l !== '');
  const [first = '', ...rest] = lines;
  return `${first.replace(/^(importOnnx|readOnnxInfo|exportOnnx): /, '')}${rest.length ? ` ${rest.join('; ')}` : ''}`;
}

/** --normalize: 'none' (v/255), 'mnist' or 'fashion-mnist' (their statistics), or '<mean>,<std>'. */
export function parseNormalize(c: string, v: unknown): { mean: number; std: number } | null | undefined {
  if (v === undefined) return undefined;
  const text = String(v);
  if (text === 'none') return null;
  if (text === 'mnist') return { ...MNIST_STATS };
  if (text === 'fashion-mnist') return { ...FASHION_MNIST_STATS };
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length === 2 && parts.every((n) => Number.isFinite(n)) && parts[1] > 0 && text.split(',').every((s) => s.trim() !== '')) return { mean: parts[0], std: parts[1] };
  throw new CliError(`${c}: --normalize must be none, mnist, fashion-mnist or <mean>,<std> with std > 0, got '${text}'`, 2);
}

export function readBytes(path: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw new Error('it is a folder');
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** Decodes the file's description (inputs, outputs, metadata), as a one-line CliError for bytes that are not ONNX. */
export function onnxInfoOf(path: string, bytes: Uint8Array): OnnxInfo {
  try {
    return readOnnxInfo(bytes);
  } catch (err) {
    throw new CliError(`cannot load ${path}: ${onnxMessage(err)}`);
  }
}

const dims = (s: readonly (number | null)[]): string => `[${s.map((d) => d ?? '?').join(', ')}]`;

/** The one image input of a classifier graph: [N, C, H, W] with C, H, W fixed (N may be symbolic). */
function imageInput(path: string, info: OnnxInfo): { shape: [number, number, number]; batch: number | null } {
  if (info.inputs.length !== 1) throw new CliError(`${path}: the graph has ${info.inputs.length} inputs (${info.inputs.map((i) => i.name).join(', ')}); the CLI runs graphs with one image input`);
  const { name, shape } = info.inputs[0];
  if (!shape || shape.length !== 4) throw new CliError(`${path}: the graph's input '${name}' has shape ${shape ? dims(shape) : '(not declared)'}; the CLI runs graphs whose input is an image batch [N, C, H, W]`);
  const [n, c, h, w] = shape;
  if (c === null || h === null || w === null) throw new CliError(`${path}: the graph's input '${name}' has shape ${dims(shape)}: its channels, height and width must be fixed numbers for the CLI to prepare images for it`);
  return { shape: [c, h, w], batch: n };
}

/** Class names: cnn.meta's, else '0' … 'K−1' from the declared output [N, K] (or one run on zeros when undeclared). */
async function classesOf(path: string, info: OnnxInfo, model: nn.Module, input: [number, number, number]): Promise<string[]> {
  if (info.outputs.length !== 1) throw new CliError(`${path}: the graph has ${info.outputs.length} outputs (${info.outputs.map((o) => o.name).join(', ')}); the CLI runs graphs with one output`);
  const out = info.outputs[0].shape;
  let k = out && out.length === 2 ? out[1] : null;
  if (k === null) {
    const x = zeros([1, ...input]);
    const y = noGrad(() => model.forward(x));
    k = y.rank === 2 ? y.shape[1] : null;
    const shape = y.shape;
    x.dispose();
    y.dispose();
    if (k === null) throw new CliError(`${path}: the graph's output has shape [${shape.join(', ')}] for one image; a classifier's is [N, classes]`);
  }
  return Array.from({ length: k }, (_, i) => String(i));
}

/** The metadata cnn export wrote (cnn.meta), checked; undefined for a file from elsewhere. */
function cnnMeta(path: string, info: OnnxInfo): ModelMetadata | undefined {
  const text = info.metadata[ONNX_META_KEY];
  if (text === undefined) return undefined;
  try {
    return checkModelMetadata(JSON.parse(text), ONNX_META_KEY);
  } catch (err) {
    throw new CliError(`${path}: its ${ONNX_META_KEY} metadata is not usable: ${(err as Error).message}`);
  }
}

export interface LoadedOnnx extends LoadedModel {
  /** The graph's fixed batch size, when its first input dim is a number (e.g. 1 for cnn export's files). */
  batch: number | null;
  /** True when the file carries no cnn.meta (class names are indices; normalisation as --normalize says). */
  foreign: boolean;
}

/** Loads an .onnx file for inference (eval mode, active backend). `normalize` (from --normalize) overrides cnn.meta. */
export async function loadOnnxFile(path: string, normalize?: { mean: number; std: number } | null): Promise<LoadedOnnx> {
  const bytes = readBytes(path);
  const info = onnxInfoOf(path, bytes);
  const meta = cnnMeta(path, info);
  const input = imageInput(path, info);
  if (meta && meta.inputShape.join() !== input.shape.join()) {
    throw new CliError(`${path}: the graph takes [${input.shape.join(', ')}] images but its ${ONNX_META_KEY} metadata says [${meta.inputShape.join(', ')}]`);
  }
  let model: nn.Module;
  try {
    model = (await importOnnx(bytes)).eval();
  } catch (err) {
    throw new CliError(`cannot load ${path}: ${onnxMessage(err)}`);
  }
  try {
    const classNames = meta?.classNames ?? (await classesOf(path, info, model, input.shape));
    const out = info.outputs[0]?.shape;
    if (meta && out && out.length === 2 && out[1] !== null && out[1] !== classNames.length) {
      throw new CliError(`${path}: the graph has ${out[1]} outputs but its ${ONNX_META_KEY} metadata names ${classNames.length} classes`);
    }
    return {
      model,
      name: info.metadata[ONNX_MODEL_KEY] ?? 'ONNX model',
      source: path,
      classNames,
      inputShape: input.shape,
      normalize: normalize !== undefined ? normalize : (meta?.normalize ?? null),
      ...(meta?.dataset !== undefined ? { dataset: meta.dataset } : {}),
      batch: input.batch,
      foreign: meta === undefined,
    };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
