import { beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, memory, setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { evaluate, makeSmallCnn, makeSyntheticBars, trainSynthetic } from '../src/synthetic.js';

describe('end to end: a small CNN learns oriented bars with Adam (autograd through conv, pool, linear)', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  it('reaches ≥ 98% training accuracy, generalises, and keeps memory flat', async () => {
    manualSeed(1);
    const model = makeSmallCnn();
    const train = makeSyntheticBars(512, 11);
    const test = makeSyntheticBars(256, 12);
    const live: number[] = [];
    const reports = await trainSynthetic(model, train, {
      epochs: 25, batchSize: 32, lr: 0.01, seed: 3,
      onEpoch: () => live.push(memory().numTensors),
    });
    const last = reports[reports.length - 1];
    expect(reports[0].loss).toBeGreaterThan(last.loss);
    expect(last.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(await evaluate(model, test)).toBeGreaterThanOrEqual(0.95);
    // Every epoch ends with the same number of live tensors: parameters, grads; nothing accumulates.
    expect(new Set(live.slice(1)).size).toBe(1);
    model.dispose();
  }, 120_000);
});
