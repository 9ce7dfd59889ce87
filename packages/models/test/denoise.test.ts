/** Denoising: a short training run of the autoencoder on real MNIST digits (cpu backend). */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { Generator, manualSeed, memory, optim, setBackend } from '@cnn/core';
import { addGaussianNoise, DataLoader, denoiseSamples, evaluateDenoiser, fitDenoiser, imagesToGrid, MNIST_STATS, models, psnr } from '../src/index.js';
import { loadMnist } from '../src/node.js';

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(0);
});

describe('addGaussianNoise / psnr', () => {
  it('adds N(0, std²), clamped to [0, 1] unless clamp: false; PSNR = 10·log10(1/MSE)', () => {
    const clean = new Float32Array(20000).fill(0.5);
    const free = addGaussianNoise(clean, { std: 0.1, clamp: false }, new Generator(1));
    let m = 0;
    let v = 0;
    for (const x of free) m += x / free.length;
    for (const x of free) v += (x - m) ** 2 / free.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(Math.sqrt(v) - 0.1)).toBeLessThan(0.005);
    const clamped = addGaussianNoise(clean, { std: 2 }, new Generator(1));
    expect(clamped.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(Array.from(addGaussianNoise(clean, { std: 0.3 }, new Generator(7)))).toEqual(Array.from(addGaussianNoise(clean, { std: 0.3 }, new Generator(7))));
    expect(psnr(0.01)).toBeCloseTo(20, 10);
    expect(psnr(1e-3)).toBeCloseTo(30, 10);
    expect(() => addGaussianNoise(clean, { std: -1 }, new Generator(1))).toThrow(/noise.std must be a finite number ≥ 0/);
  });
});

describe('the denoising autoencoder on 512 MNIST images (noise std 0.5, clamped)', () => {
  it('the loss falls and the test PSNR beats the noisy input\'s; memory stays flat', async () => {
    const train = new DataLoader(loadMnist({ split: 'train' }), { batchSize: 16, shuffle: true, seed: 1, limit: 512 });
    const test = new DataLoader(loadMnist({ split: 'test' }), { batchSize: 128, limit: 256 });
    const model = models.autoencoder();
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const noise = { std: 0.5 };
    const batchLoss: number[] = [];
    const tensorsAtEpochEnd: number[] = [];
    const history = await fitDenoiser(model, {
      train, epochs: 2, optimizer, noise, seed: 2,
      callbacks: { onBatchEnd: (s) => void batchLoss.push(s.loss), onEpochEnd: () => void tensorsAtEpochEnd.push(memory().numTensors) },
    });
    const r = await evaluateDenoiser(model, test, { noise });
    const first = batchLoss.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = batchLoss.slice(-3).reduce((a, b) => a + b) / 3;
    console.log(`denoise test: batch loss ${first.toFixed(4)} → ${last.toFixed(4)}; test MSE ${r.mse.toFixed(4)} PSNR ${r.psnr.toFixed(2)} dB, noisy ${r.noisyPsnr.toFixed(2)} dB`);
    expect(last).toBeLessThan(0.6 * first);
    expect(history.loss[1]).toBeLessThan(history.loss[0]);
    expect(r.count).toBe(256);
    expect(r.psnr).toBeGreaterThan(r.noisyPsnr + 3);
    expect(r.psnr).toBeCloseTo(10 * Math.log10(1 / r.mse), 10);
    expect(r.noisyPsnr).toBeGreaterThan(8); // clamping removes half of the noise on the black background
    expect(r.noisyPsnr).toBeLessThan(12);
    expect(tensorsAtEpochEnd[0]).toBe(tensorsAtEpochEnd[1]);
    // The same evaluation twice (same seed, same noise) gives the same numbers.
    expect((await evaluateDenoiser(model, test, { noise })).mse).toBe(r.mse);

    const before = memory().numTensors;
    const samples = await denoiseSamples(model, test, { noise, start: 130, count: 4 });
    expect(memory().numTensors).toBe(before);
    expect(samples.shape).toEqual([4, 1, 28, 28]);
    const all = new Float32Array(12 * 784);
    for (let i = 0; i < 4; i++) {
      all.set(samples.noisy.subarray(i * 784, (i + 1) * 784), (3 * i) * 784);
      all.set(samples.denoised.subarray(i * 784, (i + 1) * 784), (3 * i + 1) * 784);
      all.set(samples.clean.subarray(i * 784, (i + 1) * 784), (3 * i + 2) * 784);
    }
    const grid = await imagesToGrid({ data: all, shape: [12, 1, 28, 28] }, { columns: 3, scale: 2, padding: 2 });
    expect([grid.width, grid.height]).toEqual([3 * 56 + 4 * 2, 4 * 56 + 5 * 2]);
    optimizer.dispose();
    model.dispose();
  }, 120_000);

  it('rejects normalised loaders and models that change the shape', async () => {
    const ds = loadMnist({ split: 'test' });
    const normalized = new DataLoader(ds, { batchSize: 8, limit: 8, normalize: MNIST_STATS });
    const model = models.autoencoder();
    await expect(evaluateDenoiser(model, normalized, { noise: { std: 0.5 } })).rejects.toThrow(/must give images in \[0, 1\]/);
    const lenet = models.lenet5();
    const plain = new DataLoader(ds, { batchSize: 8, limit: 8 });
    await expect(evaluateDenoiser(lenet, plain, { noise: { std: 0.5 } })).rejects.toThrow(/the model returned shape \[8, 10\] for input \[8, 1, 28, 28\]/);
    model.dispose();
    lenet.dispose();
  });
});
