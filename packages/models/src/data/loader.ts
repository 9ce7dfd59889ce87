/**
 * DataLoader: batches of an ImageDataset as float tensors [B, C, H, W] (scaled to [0, 1], optionally normalised and
 * augmented) and int32 labels [B], in a seeded shuffled order.
 *
 * Ownership: tensors from iterating the loader belong to the consumer, who disposes them (or creates them inside
 * `tidy` from `rawBatches()` with `toTensors`, which is what `fit` does).
 */
import { CnnError, Generator, tensor, type GeneratorState, type Tensor } from '@cnn/core';
import type { ImageDataset, NormalizeStats } from './dataset.js';

export interface AugmentOptions {
  /** Random translation: zero-pad by `padding` pixels on each side, then crop back to the original size at a random place. */
  randomCrop?: { padding: number };
  /** Mirror left–right with probability 0.5 (sensible for Fashion-MNIST, not for digits). */
  horizontalFlip?: boolean;
}

export interface DataLoaderOptions {
  /** Images per batch (default 64). */
  batchSize?: number;
  /** Reshuffle every epoch (default false). */
  shuffle?: boolean;
  /** Seed (or a Generator) for shuffling and augmentation; same seed, same batches. Default 0. */
  seed?: number | Generator;
  /** Subtract `mean` and divide by `std` after scaling pixels to [0, 1]. */
  normalize?: NormalizeStats | null;
  augment?: AugmentOptions | null;
  /** Use only the first `limit` images of the dataset (tests, quick runs). */
  limit?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/** One batch as plain arrays: `x` is [size, C, H, W] float32, `y` int32 labels. Fresh arrays, never reused. */
export interface RawBatch {
  x: Float32Array;
  y: Int32Array;
  size: number;
  shape: [number, number, number, number];
}

export interface Batch {
  x: Tensor;
  y: Tensor;
  size: number;
}

/** Makes tensors of a raw batch on the active backend. The caller owns (disposes) them. */
export function toTensors(raw: RawBatch): Batch {
  const x = tensor(raw.x, raw.shape);
  const y = tensor(raw.y, [raw.size], 'int32');
  return { x, y, size: raw.size };
}

export class DataLoader implements Iterable<Batch> {
  readonly dataset: ImageDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly normalize: NormalizeStats | null;
  readonly augment: AugmentOptions | null;
  readonly dropLast: boolean;
  /** Images per epoch (after `limit`). */
  readonly size: number;
  private readonly gen: Generator;

  constructor(dataset: ImageDataset, opts: DataLoaderOptions = {}) {
    this.dataset = dataset;
    this.batchSize = opts.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new CnnError(`DataLoader: batchSize must be an integer ≥ 1, got ${String(opts.batchSize)}`);
    if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 1)) {
      throw new CnnError(`DataLoader: limit must be an integer ≥ 1, got ${String(opts.limit)}`);
    }
    this.size = Math.min(dataset.count, opts.limit ?? Infinity);
    this.shuffle = opts.shuffle ?? false;
    this.gen = opts.seed instanceof Generator ? opts.seed : new Generator(opts.seed ?? 0);
    this.normalize = opts.normalize ?? null;
    if (this.normalize && !(this.normalize.std > 0)) throw new CnnError(`DataLoader: normalize.std must be > 0, got ${this.normalize.std}`);
    this.augment = opts.augment ?? null;
    const pad = this.augment?.randomCrop?.padding;
    if (pad !== undefined && !(Number.isInteger(pad) && pad >= 0)) throw new CnnError(`DataLoader: randomCrop.padding must be an integer ≥ 0, got ${pad}`);
    this.dropLast = opts.dropLast ?? false;
  }

  /** The shuffle / augmentation generator's state, for training checkpoints: `setState` of it makes the next epochs
   * (order and augmentation) what they would have been. */
  getState(): GeneratorState {
    return this.gen.getState();
  }

  setState(state: GeneratorState): void {
    this.gen.setState(state);
  }

  /** Batches per epoch. */
  get numBatches(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  get length(): number {
    return this.numBatches;
  }

  /** The image order of the next epoch (a fresh shuffle each call when shuffling). */
  private order(): Int32Array {
    const order = Int32Array.from({ length: this.size }, (_, i) => i);
    if (this.shuffle) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = this.gen.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** One epoch of batches as plain arrays. */
  *rawBatches(): IterableIterator<RawBatch> {
    const { channels: C, height: H, width: W, images, labels } = this.dataset;
    const per = C * H * W;
    const order = this.order();
    const scale = this.normalize ? 1 / (255 * this.normalize.std) : 1 / 255;
    const shift = this.normalize ? -this.normalize.mean / this.normalize.std : 0;
    const pad = this.augment?.randomCrop?.padding ?? 0;
    const flip = this.augment?.horizontalFlip ?? false;
    const batches = this.numBatches;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const size = Math.min(this.batchSize, this.size - start);
      const x = new Float32Array(size * per);
      const y = new Int32Array(size);
      for (let r = 0; r < size; r++) {
        const k = order[start + r];
        y[r] = labels[k];
        const src = k * per;
        const dst = r * per;
        const dy = pad ? this.gen.int(2 * pad + 1) - pad : 0;
        const dx = pad ? this.gen.int(2 * pad + 1) - pad : 0;
        const mirror = flip && this.gen.uniform() < 0.5;
        if (!dx && !dy && !mirror) {
          for (let i = 0; i < per; i++) x[dst + i] = images[src + i] * scale + shift;
          continue;
        }
        // Output pixel (i, j) reads input (i + dy, j' + dx), j' = mirrored j; outside the image is the zero padding.
        for (let c = 0; c < C; c++) {
          for (let i = 0; i < H; i++) {
            const si = i + dy;
            for (let j = 0; j < W; j++) {
              const sj = (mirror ? W - 1 - j : j) + dx;
              const v = si >= 0 && si < H && sj >= 0 && sj < W ? images[src + (c * H + si) * W + sj] : 0;
              x[dst + (c * H + i) * W + j] = v * scale + shift;
            }
          }
        }
      }
      yield { x, y, size, shape: [size, C, H, W] };
    }
  }

  /** One epoch of batches as tensors; the consumer disposes `x` and `y`. */
  *[Symbol.iterator](): Iterator<Batch> {
    for (const raw of this.rawBatches()) yield toTensors(raw);
  }
}
