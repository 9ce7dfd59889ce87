// packages/models' summary on an imported graph: one forward pass, traced (an OnnxModel is one leaf module).
import '@cnn/backend-cpu';
import { setBackend } from '@cnn/core';
import { summary } from '@cnn/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { importOnnx } from '../src/index.js';
import { loadFixture } from './fixtures.js';

beforeAll(async () => {
  await setBackend('cpu');
});

describe('summary on an OnnxModel', () => {
  it('gives the output shape and every parameter of the graph', async () => {
    const f = loadFixture('squeezenet1_1_op13');
    const model = await importOnnx(f.bytes);
    const s = summary(model, f.input.shape);
    expect(s.outputShape).toEqual(f.outputs.logits.shape);
    expect(s.totalParams).toBe(model.namedParameters().reduce((a, [, p]) => a + p.size, 0));
    expect(s.layers.length).toBeGreaterThan(0);
    console.log(JSON.stringify(s.layers.slice(0, 3)), s.unknownTypes);
    model.dispose();
  });
});
