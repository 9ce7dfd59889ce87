// The torchvision classifiers of issue 14 at 224×224 and 1,000 classes, from fixtures-large/ (gitignored, tens of
// MB each): `/usr/bin/python3 packages/onnx/scripts/make_fixtures.py --large` writes them; skipped when absent.
import { noGrad, tensor } from '@cnn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { importOnnx, relativeMaxError } from '../src/index.js';
import { TEST_BACKENDS, useBackend } from './backends.js';
import { hasFixture, LARGE_FIXTURES, loadFixture } from './fixtures.js';

const MODELS = ['resnet18', 'mobilenet_v2', 'mobilenet_v3_small', 'squeezenet1_1', 'shufflenet_v2_x0_5', 'efficientnet_b0', 'googlenet', 'densenet121', 'mnasnet0_5'];

describe.each(TEST_BACKENDS)('torchvision classifiers (fixtures-large/) on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  for (const model of MODELS) {
    for (const opset of [13, 14]) {
      const name = `${model}_op${opset}`;
      it.skipIf(!hasFixture(name, LARGE_FIXTURES))(name, async () => {
        const f = loadFixture(name, LARGE_FIXTURES);
        const m = (await importOnnx(f.bytes)).eval();
        const y = noGrad(() => m.forward(tensor(f.input.data, f.input.shape)));
        const err = relativeMaxError(await y.data(), f.outputs.logits.data);
        console.log(`${backend} ${name}: max error ${err.toExponential(2)} of the largest logit`);
        expect(err).toBeLessThanOrEqual(1e-4);
        m.dispose();
      });
    }
  }
});
