/**
 * MNIST for the page: downloaded, gunzipped and parsed once per session in a module Web Worker
 * (mnist-loader.worker.ts), so the main thread only receives progress and the finished arrays; a second training
 * run starts at once. Where a worker cannot start, the same code runs here.
 */
import { fetchMnist, type DownloadProgress, type MnistSplits } from './mnist-fetch.js';
import type { FromMnistLoader, ToMnistLoader } from './mnist-loader-protocol.js';

export type { DownloadProgress, MnistSplits };

/** Relative to the page (the app is built with base './'), so it works under any path. */
export const MNIST_BASE_URL = 'data/mnist/';

function loadInWorker(baseUrl: string, onProgress: (p: DownloadProgress) => void): Promise<MnistSplits> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./mnist-loader.worker.ts', import.meta.url), { type: 'module', name: 'cnn-mnist-loader' });
  } catch {
    return fetchMnist(baseUrl, onProgress);
  }
  return new Promise<MnistSplits>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<FromMnistLoader>) => {
      const msg = e.data;
      if (msg.type === 'progress') return onProgress(msg.progress);
      worker.terminate();
      if (msg.type === 'done') resolve(msg.splits);
      else reject(new Error(msg.message));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`MNIST: the loader worker failed (${e.message || 'it could not start'})`));
    };
    worker.postMessage({ baseUrl } satisfies ToMnistLoader);
  });
}

let cached: Promise<MnistSplits> | null = null;
const listeners = new Set<(p: DownloadProgress) => void>();

/** The MNIST splits, downloaded once per session; concurrent callers share the download (and all get progress). A
 * failed download is not cached: the next call tries again. */
export function loadMnist(onProgress?: (p: DownloadProgress) => void): Promise<MnistSplits> {
  if (onProgress) listeners.add(onProgress);
  if (!cached) {
    const baseUrl = new URL(MNIST_BASE_URL, document.baseURI).href;
    cached = loadInWorker(baseUrl, (p) => listeners.forEach((l) => l(p)));
    cached.catch(() => {
      cached = null;
    });
  }
  const mine = cached;
  return mine.finally(() => {
    if (onProgress) listeners.delete(onProgress);
  });
}
