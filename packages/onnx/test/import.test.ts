import { noGrad, tensor } from '@cnn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { importOnnx, relativeMaxError } from '../src/index.js';
import { TEST_BACKENDS, useBackend } from './backends.js';
import { loadFixture } from './fixtures.js';

const SMALL = ['tiny_cnn_op13', 'tiny_cnn_op14', 'encoder_decoder_op13', 'encoder_decoder_op14', 'shape_arith_op13', 'squeezenet1_1_op13', 'shufflenet_v2_x0_5_op14'];

describe.each(TEST_BACKENDS)('importOnnx gives PyTorch outputs (eval) on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  for (const name of SMALL) {
    it(name, async () => {
      const f = loadFixture(name);
      const model = (await importOnnx(f.bytes)).eval();
      expect(model.opset).toBe(f.opset);
      const x = tensor(f.input.data, f.input.shape);
      const outs = noGrad(() => model.forwardAll({ input: x }));
      for (const [outName, expected] of Object.entries(f.outputs)) {
        const y = outs[outName];
        expect(y.shape).toEqual(expected.shape);
        const err = relativeMaxError(await y.data(), expected.data);
        console.log(`${backend} ${name} ${outName}: max error ${err.toExponential(2)} of the largest value`);
        expect(err).toBeLessThanOrEqual(1e-4);
      }
      model.dispose();
    });
  }
});
