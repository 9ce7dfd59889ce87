/** Every @cnn/models architecture → exportOnnx → ONNX Runtime gives cnn's answers (max error ≤ 1e-4 of the largest). */
import '@cnn/backend-cpu';
import { manualSeed, setBackend, type nn } from '@cnn/core';
import { models } from '@cnn/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithOrt, randomizeStats } from './export-helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(7);
});

/** Small configurations of each architecture, with their input shapes. */
const CASES: [string, () => nn.Module, number[]][] = [
  ['lenet5', () => models.lenet5(), [2, 1, 28, 28]],
  ['lenet5 tanh avg', () => models.lenet5({ activation: 'tanh', pool: 'avg' }), [1, 1, 28, 28]],
  ['mnistCnn', () => models.mnistCnn(), [2, 1, 28, 28]],
  ['vgg', () => models.vgg({ blocks: [[8, 8], [16]], inputSize: 32, classifier: [32], numClasses: 10 }), [2, 3, 32, 32]],
  ['alexnet', () => models.alexnet({ numClasses: 10 }), [1, 3, 96, 96]],
  ['resnet18', () => models.resnet18({ numClasses: 10 }), [1, 3, 64, 64]],
  ['resnet18 cifar', () => models.resnet18({ numClasses: 10, stem: 'cifar' }), [2, 3, 32, 32]],
  ['resnet34', () => models.resnet34({ numClasses: 10, stem: 'cifar' }), [1, 3, 32, 32]],
  ['mobilenetV1', () => models.mobilenetV1({ numClasses: 10, widthMultiplier: 0.25 }), [1, 3, 64, 64]],
  ['autoencoder', () => models.autoencoder(), [2, 1, 28, 28]],
  ['unet convTranspose', () => models.unet({ baseChannels: 4 }), [1, 1, 28, 28]],
  ['unet bilinear', () => models.unet({ baseChannels: 4, upsample: 'bilinear', outActivation: 'sigmoid' }), [1, 1, 16, 16]],
];

describe('exportOnnx: @cnn/models in ONNX Runtime', () => {
  for (const [name, make, shape] of CASES) {
    it(name, async () => {
      const model = make();
      randomizeStats(model);
      const { error } = await compareWithOrt(model, shape);
      console.log(`export ${name}: max error ${error.toExponential(2)} of the largest output`);
      expect(error).toBeLessThanOrEqual(1e-4);
      model.dispose();
    });
  }
});
