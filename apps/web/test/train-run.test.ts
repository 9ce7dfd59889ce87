/**
 * The training panel's run (src/train/train-run.ts) and settings, in Node on the cpu backend: the progress messages
 * it sends, stopping after a step, the honest test count, and a model file the page can load. The panel in the
 * browser is covered by app.browser.test.ts.
 */
import { setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { readModelFile } from '@cnn/models';
import { loadDataset } from '@cnn/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DigitsPayload, FromTrainer, StepMessage } from '../src/train/protocol.js';
import { DEFAULT_SETTINGS, parseSettings, type RawSettings } from '../src/train/settings.js';
import { runTraining, type RunRequest } from '../src/train/train-run.js';

function firstImages(split: 'train' | 'test', n: number): DigitsPayload {
  const ds = loadDataset('mnist', { split });
  return { images: ds.images.slice(0, n * 784), labels: ds.labels.slice(0, n), count: n };
}

const raw = (over: Partial<RawSettings> = {}): RawSettings => ({
  model: 'lenet5', samples: '2000', epochs: '1', batchSize: '16', lr: '0.003', testSamples: '10000', seed: '1', ...over,
});

describe('train settings', () => {
  it('parses the defaults and names the field, the value and the range of a bad one', () => {
    expect(parseSettings(raw())).toEqual(DEFAULT_SETTINGS);
    expect(() => parseSettings(raw({ samples: '60001' }))).toThrow("training images must be a whole number from 1 to 60,000, got '60001'");
    expect(() => parseSettings(raw({ epochs: '1.5' }))).toThrow("epochs must be a whole number from 1 to 100, got '1.5'");
    expect(() => parseSettings(raw({ testSamples: '0' }))).toThrow("test images must be a whole number from 1 to 10,000, got '0'");
    expect(() => parseSettings(raw({ lr: '-1' }))).toThrow("learning rate must be a number in (0, 1], got '-1'");
    expect(() => parseSettings(raw({ model: 'resnet50' }))).toThrow("model must be one of lenet5, mnistCnn, vgg-small, got 'resnet50'");
  });
});

describe('runTraining', () => {
  let train: DigitsPayload;
  let test: DigitsPayload;
  beforeAll(async () => {
    await setBackend('cpu');
    train = firstImages('train', 64);
    test = firstImages('test', 40);
  });

  const request = (over: Partial<RunRequest['settings']> = {}): RunRequest => ({
    settings: { ...DEFAULT_SETTINGS, samples: 64, epochs: 2, batchSize: 16, testSamples: 40, ...over },
    train, test, backend: 'cpu', mode: 'main-thread', evalBatchSize: 16,
  });

  it('reports every step and epoch, evaluates all the test images and returns a loadable model file', async () => {
    const msgs: FromTrainer[] = [];
    const r = await runTraining(request(), { emit: (m) => msgs.push(m), stopRequested: () => false });
    const steps = msgs.filter((m): m is StepMessage => m.type === 'step');
    expect(steps.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps.every((m) => m.totalSteps === 8 && m.accuracy >= 0 && m.accuracy <= 1 && Number.isFinite(m.loss))).toBe(true);
    expect(steps.map((m) => m.epoch)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    // The cosine decay reaches 0 at the last step.
    expect(steps[7].lr).toBeCloseTo(0, 12);
    expect(msgs.filter((m) => m.type === 'epoch').length).toBe(2);
    const evals = msgs.filter((m) => m.type === 'evaluating');
    expect(evals.at(-1)).toEqual({ type: 'evaluating', done: 40, total: 40 });
    expect(r.stopped).toBe(false);
    expect(r.steps).toBe(8);
    expect(r.imagesSeen).toBe(128);
    expect(r.testCount).toBe(40);
    expect(r.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(40);
    const correct = r.confusionMatrix.reduce((a, row, i) => a + row[i], 0);
    expect(r.testAccuracy).toBeCloseTo(correct / 40, 12);
    const file = readModelFile(r.bytes);
    expect(file.config.type).toBe('lenet5');
    expect(file.meta.testAccuracy).toBe(r.testAccuracy);
    expect(file.meta.normalize).toEqual({ mean: 0.1307, std: 0.3081 });
    expect(file.meta.trainedWith).toContain("batch 16, adam lr 0.003 cosine per step, seed 1, backend 'cpu' (main-thread)");
  });

  it('stops after the step during which stop was asked, and still evaluates the partly trained model', async () => {
    const msgs: FromTrainer[] = [];
    let asked = false;
    const r = await runTraining(request(), {
      emit: (m) => {
        msgs.push(m);
        if (m.type === 'step' && m.step === 3) asked = true;
      },
      stopRequested: () => asked,
    });
    expect(r.stopped).toBe(true);
    expect(r.steps).toBe(3);
    expect(r.imagesSeen).toBe(48);
    expect(msgs.filter((m) => m.type === 'step').length).toBe(3);
    expect(r.testCount).toBe(40);
    expect(readModelFile(r.bytes).meta.trainedWith).toContain('stopped after 48 images');
  });

  it('trains the same model from the same seed', async () => {
    const a = await runTraining(request({ epochs: 1 }), { emit: () => {}, stopRequested: () => false });
    const b = await runTraining(request({ epochs: 1 }), { emit: () => {}, stopRequested: () => false });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });
});
