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

  it('reports one row per node: op type, output shape, parameters, MACs of Conv / Gemm / MatMul', async () => {
    const f = loadFixture('squeezenet1_1_op13');
    const model = await importOnnx(f.bytes);
    const s = summary(model, f.input.shape);
    expect(s.unknownTypes).toEqual([]);
    const types = new Set(s.layers.map((l) => l.type));
    for (const op of ['Conv', 'Relu', 'MaxPool', 'Concat']) expect(types.has(op), op).toBe(true);
    // Every parameter once, at the node that reads it first; the last row is the graph's output.
    expect(s.layers.reduce((a, l) => a + l.params, 0)).toBe(s.totalParams);
    expect(s.layers[s.layers.length - 1].outputShape).toEqual(f.outputs.logits.shape);
    const conv = s.layers.find((l) => l.type === 'Conv')!;
    const w = model.namedParameters().find(([n]) => n === 'features.0.weight')![1];
    expect(conv.params).toBe(w.size + w.shape[0]);
    expect(conv.macs).toBe(conv.outputShape.reduce((a, d) => a * d, 1) * w.shape[1] * w.shape[2] * w.shape[3]);
    expect(s.totalMacs).toBe(s.layers.filter((l) => l.type === 'Conv').reduce((a, l) => a + l.macs, 0));
    expect(s.layers.every((l) => l.macs === 0 || l.type === 'Conv')).toBe(true);
    // A second summary starts a fresh log; a plain forward records nothing.
    expect(summary(model, f.input.shape).layers.length).toBe(s.layers.length);
    expect(model.takeNodeLog()).toEqual([]);
    model.dispose();
  });
});
