import '@cnn/backend-cpu';
import { noGrad, optim, setBackend, tensor, F } from '@cnn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { create, toBinary } from '@bufbuild/protobuf';
import { decodeSafetensors, encodeSafetensors } from '@cnn/models';
import { importOnnx, OnnxError, relativeMaxError } from '../src/index.js';
import { ModelProtoSchema, NodeProtoSchema, GraphProtoSchema, OperatorSetIdProtoSchema } from '../src/generated/onnx.proto3_pb.js';
import { loadFixture } from './fixtures.js';

beforeAll(async () => {
  await setBackend('cpu');
});

describe('OnnxModel as an nn.Module', () => {
  it('registers initializers under their ONNX names: parameters, with BN running statistics as buffers', async () => {
    const model = await importOnnx(loadFixture('tiny_cnn_op13').bytes);
    const params = model.namedParameters().map(([n]) => n);
    expect(params).toContain('conv1.weight');
    expect(params).toContain('fc2.bias');
    expect(params).not.toContain('bn1.running_mean');
    expect(Object.keys(model.stateDict())).toContain('bn1.running_var');
    model.dispose();
  });

  it('train() uses batch statistics and updates the running ones as PyTorch; eval() switches back', async () => {
    const f = loadFixture('tiny_cnn_op14');
    const model = await importOnnx(f.bytes);
    const x = tensor(f.input.data, f.input.shape);
    model.train();
    // The fixture's train-mode outputs were taken with dropout p = 0; here dropout is active, so compare the
    // running statistics (before dropout) and check the logits differ from eval mode's.
    noGrad(() => model.forwardAll({ input: x }));
    const state = model.stateDict();
    for (const [name, expected] of Object.entries(f.train!.state)) {
      expect(relativeMaxError(await state[name].data(), expected.data), name).toBeLessThanOrEqual(1e-5);
    }
    model.eval();
    const evalLogits = noGrad(() => model.forwardAll({ input: x })).logits;
    expect(evalLogits.shape).toEqual([2, 5]);
    model.dispose();
  });

  it('fine-tunes with optim: gradients reach the imported parameters', async () => {
    const f = loadFixture('shape_arith_op13');
    const model = await importOnnx(f.bytes);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const x = tensor(f.input.data, f.input.shape);
    const before = await model.stateDict()['w'].data();
    const loss = F.mean(F.square(model.forward(x)));
    loss.backward();
    opt.step();
    const after = await model.stateDict()['w'].data();
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    model.dispose();
  });

  it('saves as safetensors under the ONNX names, and a fresh import loads them back to the same outputs', async () => {
    const f = loadFixture('tiny_cnn_op13');
    const tuned = (await importOnnx(f.bytes)).eval();
    // Change every parameter, as fine-tuning would, so loading them back is visible.
    noGrad(() => tuned.parameters().forEach((p) => p.assign(F.mul(p, 1.5))));
    const file = await encodeSafetensors(Object.fromEntries(Object.entries(tuned.stateDict())));
    const fresh = (await importOnnx(f.bytes)).eval();
    const x = tensor(f.input.data, f.input.shape);
    const logits = (m: typeof fresh) => noGrad(() => m.forwardAll({ input: x })).logits.data();
    const before = await logits(fresh);
    const decoded = decodeSafetensors(file);
    expect(Object.keys(decoded)).toContain('conv1.weight');
    fresh.loadStateDict(Object.fromEntries(Object.entries(decoded).map(([k, v]) => [k, tensor(Float32Array.from(v.data), v.shape)])));
    const [want, got] = [await logits(tuned), await logits(fresh)];
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(got)).not.toEqual(Array.from(before));
    tuned.dispose();
    fresh.dispose();
  });
});

function modelWith(nodes: { opType: string; name: string; input: string[]; output: string[] }[], opset = 13): Uint8Array {
  const graph = create(GraphProtoSchema, {
    name: 'g',
    node: nodes.map((n) => create(NodeProtoSchema, n)),
    input: [{ name: 'x' }],
    output: [{ name: nodes[nodes.length - 1].output[0] }],
  });
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, graph, opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })] }));
}

describe('bad input', () => {
  it('lists every unsupported operator with its nodes and the opset, before any compute', async () => {
    const bytes = modelWith([
      { opType: 'Relu', name: 'r', input: ['x'], output: ['a'] },
      { opType: 'LSTM', name: 'lstm1', input: ['a'], output: ['b'] },
      { opType: 'NonMaxSuppression', name: 'nms', input: ['b'], output: ['c'] },
      { opType: 'LSTM', name: 'lstm2', input: ['c'], output: ['d'] },
    ]);
    const err = await importOnnx(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnnxError);
    const message = (err as Error).message;
    expect(message).toContain('opset 13');
    expect(message).toMatch(/LSTM: 2 nodes \(lstm1, lstm2\)/);
    expect(message).toMatch(/NonMaxSuppression: 1 node \(nms\)/);
    expect(message).not.toMatch(/Relu: /);
  });

  it('rejects malformed bytes with a clear error', async () => {
    await expect(importOnnx(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]))).rejects.toThrow(/not a valid ONNX model/);
    await expect(importOnnx(new TextEncoder().encode('def forward(x): return x'))).rejects.toThrow(OnnxError);
    await expect(importOnnx(new Uint8Array())).rejects.toThrow(/empty/);
    const truncated = loadFixture('tiny_cnn_op13').bytes.slice(0, 1000);
    await expect(importOnnx(truncated)).rejects.toThrow(/not a valid ONNX model/);
  });

  it('names a missing initializer', async () => {
    const bytes = modelWith([{ opType: 'Conv', name: 'conv', input: ['x', 'conv.weight'], output: ['y'] }]);
    await expect(importOnnx(bytes)).rejects.toThrow(/Conv node 'conv' reads 'conv.weight', which is no graph input, initializer/);
  });

  it('refuses external data files', async () => {
    const graph = create(GraphProtoSchema, {
      node: [create(NodeProtoSchema, { opType: 'Add', name: 'add', input: ['x', 'w'], output: ['y'] })],
      initializer: [{ name: 'w', dims: [1n], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] }],
      input: [{ name: 'x' }],
      output: [{ name: 'y' }],
    });
    const bytes = toBinary(ModelProtoSchema, create(ModelProtoSchema, { graph, opsetImport: [{ domain: '', version: 13n }] }));
    await expect(importOnnx(bytes)).rejects.toThrow(/external file \('weights.bin'\)/);
  });

  it('explains a shape computed from tensor values', async () => {
    const bytes = modelWith([{ opType: 'Reshape', name: 'reshape', input: ['x', 'x'], output: ['y'] }]);
    const model = await importOnnx(bytes);
    expect(() => model.forward(tensor([1, 2], [2]))).toThrow(/must be known before the graph runs/);
  });

  it('supports opsets 7 to 21 and says so otherwise', async () => {
    const bytes = modelWith([{ opType: 'Relu', name: 'r', input: ['x'], output: ['y'] }], 5);
    await expect(importOnnx(bytes)).rejects.toThrow(/opset 5 is not supported \(supported: 7 to 21\)/);
  });
});
