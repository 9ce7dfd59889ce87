/**
 * Fetching MNIST: the four IDX files the app serves (gzipped) under data/mnist/, gunzipped with DecompressionStream
 * and parsed with parseIdx. Runs in a module Web Worker (mnist-loader.worker.ts): the streams' chunk callbacks are
 * promise jobs, and on a fast server 57 MB of them ran back to back on the main thread for over a second.
 */
import { checkDataset, isGzip, MNIST_CLASSES, parseIdx, type ImageDataset } from '@cnn/models';

export interface MnistSplits {
  train: ImageDataset;
  test: ImageDataset;
}

export interface DownloadProgress {
  /** Bytes received over all four files, and their total when the server says (Content-Length); null otherwise. */
  loaded: number;
  total: number | null;
  /** What is happening now, for the status line. */
  phase: 'downloading' | 'decompressing' | 'parsing';
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;
type FileKey = keyof typeof FILES;

/** The decompressed sizes (IDX header + one byte per pixel or label), for progress when a server sends the files
 * with Content-Encoding: gzip (as Vite's dev server does): the browser then hands over decompressed bytes. */
const DECOMPRESSED_BYTES: Record<FileKey, number> = {
  trainImages: 16 + 60_000 * 28 * 28,
  trainLabels: 8 + 60_000,
  testImages: 16 + 10_000 * 28 * 28,
  testLabels: 8 + 10_000,
};


async function download(url: string, decompressedBytes: number, onBytes: (received: number, total: number | null) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`MNIST: fetching ${url} failed: HTTP ${res.status} ${res.statusText}`);
  const length = Number(res.headers.get('Content-Length'));
  // With Content-Encoding the length counts compressed bytes while the body yields decompressed ones.
  const total = res.headers.get('Content-Encoding') ? decompressedBytes : Number.isFinite(length) && length > 0 ? length : null;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  // Count the bytes as they stream past; the browser assembles the body natively (no 47 MB copy loop in script).
  let received = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, out) {
      received += chunk.length;
      onBytes(received, total);
      out.enqueue(chunk);
    },
  });
  return new Uint8Array(await new Response(res.body.pipeThrough(counter)).arrayBuffer());
}

/** Gunzips when the bytes are gzip (a server may already have decoded them through Content-Encoding). */
async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toDataset(name: string, imagesFile: Uint8Array, labelsFile: Uint8Array, imagesName: string, labelsName: string): ImageDataset {
  const images = parseIdx(imagesFile, imagesName, { dtype: 'uint8', rank: 3 });
  const labels = parseIdx(labelsFile, labelsName, { dtype: 'uint8', rank: 1 });
  const [count, height, width] = images.shape;
  return checkDataset({
    name, images: images.data as Uint8Array, labels: labels.data as Uint8Array, count, channels: 1, height, width, classNames: MNIST_CLASSES,
  });
}

/** Downloads, gunzips and parses the four files under `baseUrl` (absolute: a worker resolves relative URLs against
 * its own script, not the page). */
export async function fetchMnist(baseUrl: string, onProgress: (p: DownloadProgress) => void): Promise<MnistSplits> {
  const keys = Object.keys(FILES) as FileKey[];
  const received: Record<string, number> = {};
  const totals: Record<string, number | null> = {};
  const report = (): void => {
    const loaded = Object.values(received).reduce((a, b) => a + b, 0);
    const known = keys.every((k) => typeof totals[k] === 'number');
    onProgress({ loaded, total: known ? keys.reduce((a, k) => a + (totals[k] ?? 0), 0) : null, phase: 'downloading' });
  };
  const raw = await Promise.all(
    keys.map((k) =>
      download(new URL(FILES[k], baseUrl).href, DECOMPRESSED_BYTES[k], (r, t) => {
        received[k] = r;
        totals[k] = t;
        report();
      }),
    ),
  );
  const loaded = raw.reduce((a, b) => a + b.length, 0);
  onProgress({ loaded, total: loaded, phase: 'decompressing' });
  const files = await Promise.all(raw.map(gunzipIfNeeded));
  onProgress({ loaded, total: loaded, phase: 'parsing' });
  const byKey = Object.fromEntries(keys.map((k, i) => [k, files[i]])) as Record<FileKey, Uint8Array>;
  return {
    train: toDataset('mnist/train', byKey.trainImages, byKey.trainLabels, FILES.trainImages, FILES.trainLabels),
    test: toDataset('mnist/test', byKey.testImages, byKey.testLabels, FILES.testImages, FILES.testLabels),
  };
}

