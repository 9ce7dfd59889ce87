/** Messages between the page and the MNIST loader worker. */
import type { DownloadProgress, MnistSplits } from './mnist-fetch.js';

export interface ToMnistLoader {
  /** Absolute URL of the folder holding the four .gz files. */
  baseUrl: string;
}

export type FromMnistLoader =
  | { type: 'progress'; progress: DownloadProgress }
  | { type: 'done'; splits: MnistSplits }
  | { type: 'error'; message: string };
