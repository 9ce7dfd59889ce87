/** In-memory image-classification datasets: raw uint8 pixels and labels, as the IDX files hold them. */
import { CnnError } from '@cnn/core';

export interface ImageDataset {
  /** Short name for messages ('mnist/train'). */
  name: string;
  /** Pixels 0–255, [count, channels, height, width] row-major. */
  images: Uint8Array;
  /** Class index per image. */
  labels: Uint8Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  classNames: readonly string[];
}

/** Per-channel statistics of the training split, for `normalize`. */
export interface NormalizeStats {
  mean: number;
  std: number;
}

export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
/** Mean and standard deviation of the MNIST training pixels scaled to [0, 1] (the values torchvision examples use). */
export const MNIST_STATS: NormalizeStats = { mean: 0.1307, std: 0.3081 };
/** The same for Fashion-MNIST. */
export const FASHION_MNIST_STATS: NormalizeStats = { mean: 0.286, std: 0.353 };

/** Checks that a dataset's arrays agree with its declared sizes; throws a CnnError naming it otherwise. */
export function checkDataset(ds: ImageDataset): ImageDataset {
  const per = ds.channels * ds.height * ds.width;
  if (ds.images.length !== ds.count * per) {
    throw new CnnError(`${ds.name}: ${ds.images.length} pixel values do not match ${ds.count} images of ${ds.channels}×${ds.height}×${ds.width}`);
  }
  if (ds.labels.length !== ds.count) throw new CnnError(`${ds.name}: ${ds.labels.length} labels for ${ds.count} images`);
  for (let i = 0; i < ds.count; i++) {
    if (ds.labels[i] >= ds.classNames.length) throw new CnnError(`${ds.name}: label ${ds.labels[i]} at index ${i} is outside [0, ${ds.classNames.length - 1}]`);
  }
  return ds;
}

/** The first `n` images (no copy). */
export function takeFirst(ds: ImageDataset, n: number): ImageDataset {
  const count = Math.max(0, Math.min(ds.count, Math.floor(n)));
  const per = ds.channels * ds.height * ds.width;
  return { ...ds, count, images: ds.images.subarray(0, count * per), labels: ds.labels.subarray(0, count) };
}

/** Mean and standard deviation of all pixels scaled to [0, 1]. */
export function computeStats(ds: ImageDataset): NormalizeStats {
  let s = 0;
  let s2 = 0;
  const n = ds.images.length;
  for (let i = 0; i < n; i++) {
    const v = ds.images[i] / 255;
    s += v;
    s2 += v * v;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}
