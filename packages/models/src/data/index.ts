/** Datasets and the DataLoader. Browser-safe: file loading (loadMnist, loadFashionMnist, readIdxFile) is in '@cnn/models/node'. */
export { parseIdx, encodeIdx, isGzip, IdxError } from './idx.js';
export type { IdxArray, IdxDType } from './idx.js';
export {
  MNIST_CLASSES, FASHION_MNIST_CLASSES, MNIST_STATS, FASHION_MNIST_STATS, checkDataset, takeFirst, computeStats,
} from './dataset.js';
export type { ImageDataset, NormalizeStats } from './dataset.js';
export { DataLoader, toTensors } from './loader.js';
export type { DataLoaderOptions, AugmentOptions, RawBatch, Batch } from './loader.js';
export { toGrayscale, resizeBilinear, imageToInput } from './image.js';
export type { PixelImage } from './image.js';
export { preprocessDigit } from './digit.js';
export type { DigitInput, PreprocessDigitOptions } from './digit.js';
