/** Export traces whatever backend the model lives on: the workers backend (asynchronous reads) too. */
import '@cnn/backend-workers';
import { disposeBackend, manualSeed, setBackend } from '@cnn/core';
import { models } from '@cnn/models';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareWithOrt, randomizeStats } from './export-helpers.js';

beforeAll(async () => {
  await setBackend('workers');
  manualSeed(3);
});
afterAll(async () => {
  await disposeBackend('workers');
});

it('resnet18 (cifar stem) exported from the workers backend runs in ONNX Runtime', async () => {
  const model = models.resnet18({ numClasses: 10, stem: 'cifar' });
  randomizeStats(model);
  const { error } = await compareWithOrt(model, [1, 3, 32, 32]);
  console.log(`export resnet18 from workers: max error ${error.toExponential(2)}`);
  expect(error).toBeLessThanOrEqual(1e-4);
  model.dispose();
});
