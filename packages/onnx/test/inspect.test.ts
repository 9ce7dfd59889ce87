/** readOnnxInfo, setOnnxMetadata, onnxValueShapes: looking at an ONNX file without running it as a model. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { setBackend } from '@cnn/core';
import { importOnnx, onnxValueShapes, OnnxError, readOnnxInfo, setOnnxMetadata } from '../src/index.js';
import { FIXTURES } from './fixtures.js';

const tiny = (): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, 'tiny_cnn_op13.onnx')));

beforeAll(async () => {
  await setBackend('cpu');
});

describe('inspecting ONNX files', () => {
  it('readOnnxInfo: inputs with declared shapes, outputs, nodes with their weights, opset, producer', () => {
    const info = readOnnxInfo(tiny());
    expect(info.opset).toBe(13);
    expect(info.producer).toMatch(/^pytorch /);
    expect(info.inputs).toEqual([{ name: 'input', shape: [2, 3, 12, 12] }]); // initializers are not inputs
    expect(info.outputs.map((o) => o.name)).toEqual(['logits', 'log_probs', 'probs']);
    expect(info.metadata).toEqual({});
    const conv = info.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.params).toBeGreaterThan(0);
    expect(info.nodes.reduce((a, n) => a + n.params, 0)).toBe(info.initializerElements); // each weight counted once
  });

  it('setOnnxMetadata adds and replaces metadata_props; the model still imports', async () => {
    const once = setOnnxMetadata(tiny(), { 'cnn.meta': '{"a":1}', other: 'x' });
    const twice = setOnnxMetadata(once, { 'cnn.meta': '{"a":2}' });
    expect(readOnnxInfo(twice).metadata).toEqual({ other: 'x', 'cnn.meta': '{"a":2}' });
    (await importOnnx(twice)).dispose();
  });

  it('onnxValueShapes: every node output for a given input', async () => {
    const shapes = await onnxValueShapes(tiny(), [2, 3, 12, 12]);
    expect(shapes.get('logits')).toEqual([2, 5]);
    const info = readOnnxInfo(tiny());
    for (const n of info.nodes) for (const o of n.outputs) if (o !== '') expect(shapes.has(o), o).toBe(true);
  });

  it('bytes that are not ONNX are an OnnxError', () => {
    expect(() => readOnnxInfo(new Uint8Array(0))).toThrow(OnnxError);
    expect(() => readOnnxInfo(new TextEncoder().encode('not a model'))).toThrow(/readOnnxInfo: not a valid ONNX model/);
    expect(() => setOnnxMetadata(tiny().subarray(0, 100), {})).toThrow(/setOnnxMetadata: not a valid ONNX model/);
  });
});
