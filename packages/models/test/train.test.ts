import { beforeAll, describe, expect, it } from 'vitest';
import { F, manualSeed, memory, nn, optim, setBackend, type Tensor } from '@cnn/core';
import '@cnn/backend-cpu';
import { DataLoader, evaluate, fit, TrainingStepError, type BatchStats, type CheckpointInfo } from '../src/index.js';
import { bars } from './bars.js';

const smallCnn = (): nn.Module =>
  new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(), new nn.Dropout({ p: 0.1 }), new nn.Linear({ inFeatures: 64, outFeatures: 3 }),
  );

describe('fit and evaluate', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  it('learns, reports per batch and per epoch, checkpoints, and keeps memory flat across epochs', async () => {
    manualSeed(3);
    const model = smallCnn();
    const train = new DataLoader(bars(192, 1, { gap: true }), { batchSize: 16, shuffle: true, seed: 5, normalize: { mean: 0.3, std: 0.4 } });
    const val = new DataLoader(bars(96, 2, { gap: true }), { batchSize: 32, normalize: { mean: 0.3, std: 0.4 } });
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    const scheduler = new optim.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
    const live: number[] = [];
    const batches: BatchStats[] = [];
    const checkpoints: CheckpointInfo[] = [];
    const history = await fit(model, {
      train, val, epochs: 4, optimizer, scheduler,
      callbacks: {
        onBatchEnd: (s) => {
          batches.push(s);
        },
        onEpochEnd: () => {
          live.push(memory().numTensors);
        },
        onCheckpoint: (c) => {
          checkpoints.push(c);
        },
      },
    });
    expect(history.epochs.length).toBe(4);
    expect(history.loss.length).toBe(4);
    expect(history.valAccuracy.length).toBe(4);
    expect(history.imagesPerSec.every((v) => v > 0)).toBe(true);
    expect(history.loss[3]).toBeLessThan(history.loss[0]);
    expect(history.valAccuracy[3]).toBeGreaterThanOrEqual(0.9);
    expect(history.epochs.map((e) => e.lr)).toEqual([0.01, 0.01, 0.005, 0.005]);
    expect(batches.length).toBe(4 * 12);
    expect(batches[11]).toMatchObject({ epoch: 1, batch: 12, batches: 12, seen: 192 });
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3, 4]);
    expect(checkpoints[0].isBest).toBe(true);
    // Parameters, their gradients and Adam's state: the same live tensors at every epoch end.
    expect(new Set(live).size).toBe(1);

    const r = await evaluate(model, val);
    expect(r.count).toBe(96);
    expect(r.accuracy).toBe(history.valAccuracy[3]);
    expect(r.confusionMatrix.length).toBe(3);
    expect(r.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(96);
    const diag = r.confusionMatrix.reduce((a, row, i) => a + row[i], 0);
    expect(diag / 96).toBeCloseTo(r.accuracy, 10);
    expect(r.perClassAccuracy.length).toBe(3);
    expect(model.training).toBe(true); // evaluate restores the mode
    expect(memory().numTensors).toBe(live[0]);
    optimizer.dispose();
    model.dispose();
  });

  it('stops with a clear error when the loss diverges, and validates options', async () => {
    manualSeed(1);
    const model = smallCnn();
    const train = new DataLoader(bars(32, 3, { gap: true }), { batchSize: 16 });
    const optimizer = new optim.SGD(model.parameters(), { lr: 1e30 });
    await expect(fit(model, { train, epochs: 3, optimizer })).rejects.toThrow(/fit: the loss became (NaN|Infinity)/);
    await expect(fit(model, { train, epochs: -1, optimizer })).rejects.toThrow(/epochs must be an integer/);
    model.dispose();
    optimizer.dispose();
  });

  it('a step that fails (e.g. a backend fault) rejects with the epoch and step, keeping the original error as its cause', async () => {
    manualSeed(1);
    const model = smallCnn();
    const train = new DataLoader(bars(48, 3, { gap: true }), { batchSize: 16 });
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const fault = new Error('worker 1 died while running it');
    let calls = 0;
    const lossFn = (logits: Tensor, target: Tensor): Tensor => {
      if (++calls === 5) throw fault;
      return F.crossEntropy(logits, target);
    };
    const failed = await fit(model, { train, epochs: 2, optimizer, lossFn }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TrainingStepError);
    expect((failed as Error).message).toMatch(/^fit: step 2\/3 of epoch 2\/2 failed: worker 1 died while running it\. The weights in memory may be partly updated: resume from the last checkpoint/);
    expect((failed as { cause?: unknown }).cause).toBe(fault);
    model.dispose();
    optimizer.dispose();
  });
});
