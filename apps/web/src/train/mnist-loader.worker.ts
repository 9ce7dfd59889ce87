/**
 * Downloads and parses MNIST off the main thread (see mnist-fetch.ts for why), posting progress at most every 50 ms
 * and finally the parsed splits, their arrays transferred (no copy).
 */
import { fetchMnist, type DownloadProgress } from './mnist-fetch.js';
import type { FromMnistLoader, ToMnistLoader } from './mnist-loader-protocol.js';

const post = (msg: FromMnistLoader, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(msg, transfer);

self.onmessage = async (e: MessageEvent<ToMnistLoader>) => {
  let last = 0;
  const progress = (p: DownloadProgress): void => {
    const now = performance.now();
    if (p.phase === 'downloading' && now - last < 50) return;
    last = now;
    post({ type: 'progress', progress: p });
  };
  try {
    const splits = await fetchMnist(e.data.baseUrl, progress);
    const buffers = [splits.train.images, splits.train.labels, splits.test.images, splits.test.labels].map((a) => a.buffer as ArrayBuffer);
    post({ type: 'done', splits }, buffers);
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
