/** Safetensors encode / decode / validation, files, a PyTorch-written state dict, and saveModel / loadModel. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, manualSeed, noGrad, randn, setBackend, tensor, type Tensor } from '@cnn/core';
import { decodeSafetensors, decodeSafetensorsWithMetadata, encodeSafetensors, modelConfig, models, toStateDict } from '../src/index.js';
import { loadModel, loadSafetensors, loadSafetensorsWithMetadata, saveModel, saveSafetensors } from '../src/node.js';

const fixtures = new URL('./fixtures/', import.meta.url);
let dir: string;

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(3);
  dir = mkdtempSync(join(tmpdir(), 'cnn-safetensors-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Builds a file by hand: header object (serialised as is) + data bytes. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const h = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const f32 = (...v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);

describe('encode / decode', () => {
  it('round-trips float32 bit-exactly (−0, subnormals, NaN, ±∞), int32 as I64 (default) or I32, metadata, scalars', async () => {
    const special = Float32Array.from([-0, 1e-45, 3.4028234663852886e38, NaN, Infinity, -Infinity, Math.PI]);
    const dict = {
      'a.weight': tensor(special, [7]),
      'b.count': tensor(Int32Array.from([0, -5, 2 ** 31 - 1]), [3], 'int32'),
      scalar: tensor(Int32Array.of(7), [], 'int32'),
      empty: tensor(new Float32Array(0), [0, 3]),
    };
    const bytes = await encodeSafetensors(dict, { format: 'pt', note: 'hi' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensorsWithMetadata(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'hi' });
    expect(Object.keys(tensors)).toEqual(['a.weight', 'b.count', 'scalar', 'empty']);
    expect(tensors['a.weight'].dtype).toBe('F32');
    expect(new Uint8Array((tensors['a.weight'].data as Float32Array).buffer)).toEqual(new Uint8Array(special.buffer));
    expect(tensors['b.count']).toEqual({ dtype: 'I64', shape: [3], data: Float64Array.from([0, -5, 2 ** 31 - 1]) });
    expect(tensors.scalar).toEqual({ dtype: 'I64', shape: [], data: Float64Array.of(7) });
    expect(tensors.empty.shape).toEqual([0, 3]);
    const as32 = decodeSafetensors(await encodeSafetensors({ c: dict['b.count'] }, undefined, { intDtype: 'I32' }));
    expect(as32.c).toEqual({ dtype: 'I32', shape: [3], data: Int32Array.from([0, -5, 2 ** 31 - 1]) });
    // Decoded entries can be encoded again unchanged.
    const again = await encodeSafetensors(decodeSafetensors(bytes), { format: 'pt', note: 'hi' });
    expect(again).toEqual(bytes);
  });

  it('decodes F64, F16, BF16, I16, I8, U8, BOOL', () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]).buffer); // 1, -2, 2^-24, inf
    const bf = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer); // 1, -3
    const bytes = file({
      d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      h: { dtype: 'F16', shape: [4], data_offsets: [8, 16] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [16, 20] },
      s: { dtype: 'I16', shape: [1], data_offsets: [20, 22] },
      i: { dtype: 'I8', shape: [1], data_offsets: [22, 23] },
      u: { dtype: 'U8', shape: [1], data_offsets: [23, 24] },
      o: { dtype: 'BOOL', shape: [1], data_offsets: [24, 25] },
    }, new Uint8Array([...new Uint8Array(Float64Array.of(0.1).buffer), ...half, ...bf, ...new Uint8Array(Int16Array.of(-300).buffer), 0xff, 200, 1]));
    const t = decodeSafetensors(bytes);
    expect(Array.from(t.d.data)).toEqual([0.1]);
    expect(Array.from(t.h.data)).toEqual([1, -2, 2 ** -24, Infinity]);
    expect(Array.from(t.b.data)).toEqual([1, -3]);
    expect(Array.from(t.s.data)).toEqual([-300]);
    expect(Array.from(t.i.data)).toEqual([-1]);
    expect(Array.from(t.u.data)).toEqual([200]);
    expect(Array.from(t.o.data)).toEqual([1]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /truncated file: 0 bytes/],
    ['7 bytes', new Uint8Array(7), /truncated file: 7 bytes/],
    ['header longer than the file', (() => { const b = file({}); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /truncated file: the header claims 1000 bytes but only 2 follow/],
    ['absurd header length', (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 2n ** 40n, true); return b; })(), /header length 1099511627776 bytes is absurd/],
    ['invalid JSON', file(null, undefined, '{"a": '), /the header is not valid UTF-8 JSON/],
    ['JSON that is not an object', file([1, 2]), /the header must be a JSON object/],
    ['unknown dtype', file({ a: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /'a': unknown dtype "Q8"; supported: F64, F32/],
    ['bad shape', file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), /'a': shape must be a list of non-negative integers/],
    ['offsets outside the data', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)), /'a': data_offsets \[0, 8\] lie outside the 4 bytes of data/],
    ['offsets not matching dtype × shape', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32(1)), /'a': data_offsets \[0, 4\] span 4 bytes, but F32 of shape \[2\] needs 8/],
    ['overlapping tensors', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(1, 2, 3)), /'b': data_offsets \[4, 12\] overlap another tensor \('a'\)/],
    ['a hole in the data', file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), /bytes 0\.\.4 of the data belong to no tensor/],
    ['trailing bytes', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1, 2)), /4 trailing bytes after the last tensor/],
    ['malformed offsets', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32(1)), /'a': data_offsets must be \[begin, end\]/],
    ['begin after end', file({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32(1)), /begin after end/],
    ['non-string metadata', file({ __metadata__: { n: 1 } }), /__metadata__\.n must be a string/],
    ['I64 beyond 2^53', file({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(BigInt64Array.of(2n ** 60n).buffer)), /I64 value 1152921504606846976 at index 0 is beyond ±2\^53/],
  ];
  for (const [what, bytes, message] of bad) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => decodeSafetensors(bytes)).toThrow(CnnError);
      expect(() => decodeSafetensors(bytes)).toThrow(message);
    });
  }

  it('rejects bad encoder input', async () => {
    await expect(encodeSafetensors({ __metadata__: tensor([1]) })).rejects.toThrow(/cannot be named '__metadata__'/);
    await expect(encodeSafetensors({ a: tensor([1]) }, { n: 1 } as never)).rejects.toThrow(/metadata values must be strings/);
    await expect(encodeSafetensors({ a: 5 } as never)).rejects.toThrow(/'a' is not a Tensor/);
  });
});

describe('files', () => {
  it('saveSafetensors is atomic (no temporary files left) and loadSafetensors reads it back', async () => {
    const path = join(dir, 'sub', 'w.safetensors');
    const w = randn([3, 4]);
    await saveSafetensors(path, { w }, { step: '3' });
    await saveSafetensors(path, { w }, { step: '4' }); // replacing an existing file
    expect(readdirSync(join(dir, 'sub'))).toEqual(['w.safetensors']);
    const { tensors, metadata } = await loadSafetensorsWithMetadata(path);
    expect(metadata).toEqual({ step: '4' });
    expect(tensors.w.data).toEqual(w.dataSync());
    await expect(loadSafetensors(join(dir, 'missing.safetensors'))).rejects.toThrow(/loadSafetensors: cannot read/);
  });

  it('loads a state dict written by PyTorch (F32 + int64 num_batches_tracked) and reproduces its eval output', async () => {
    const spec = JSON.parse(readFileSync(new URL('tiny.json', fixtures), 'utf8'));
    const entries = await loadSafetensors(new URL('tiny.safetensors', fixtures).pathname);
    expect(entries['features.1.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data: Float64Array.of(3) });
    expect(entries['features.0.weight'].dtype).toBe('F32');
    const { type, ...opts } = spec.config;
    expect(type).toBe('vgg');
    const m = models.vgg(opts);
    m.loadStateDict(toStateDict(entries));
    const nbt = m.stateDict()['features.1.num_batches_tracked'];
    expect(nbt.dtype).toBe('int32');
    expect(Array.from(nbt.dataSync())).toEqual([3]);
    m.eval();
    const y = noGrad(() => m.forward(tensor(Float32Array.from(spec.input.data), spec.input.shape)));
    expect(y.shape).toEqual(spec.output.shape);
    const got = y.dataSync();
    spec.output.data.forEach((e: number, i: number) => expect(Math.abs(got[i] - e)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(e)));
  });

  it('loadStateDict rejects a tensor whose shape does not match the model, naming it', async () => {
    const entries = await loadSafetensors(new URL('tiny.safetensors', fixtures).pathname);
    const m = models.vgg({ inChannels: 1, numClasses: 4, blocks: [[4], [8]], batchNorm: true, inputSize: 8, classifier: [16] });
    expect(() => m.loadStateDict(toStateDict(entries))).toThrow(/classifier\.3\.weight: shape \[3, 16\] in the state dict does not match the model's \[4, 16\]/);
  });
});

describe('saveModel / loadModel', () => {
  it('round trip: same architecture config, bit-identical outputs (BN statistics included)', async () => {
    const m = models.resnet18({ numClasses: 10, stem: 'cifar' });
    m.train();
    noGrad(() => m.forward(randn([4, 3, 8, 8], { mean: 0.5, std: 2 })).dispose()); // move the running statistics
    m.eval();
    const x = randn([2, 3, 16, 16]);
    const before = noGrad(() => m.forward(x)).dataSync();
    const out = join(dir, 'resnet');
    await saveModel(out, m);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual({ type: 'resnet18', numClasses: 10, inChannels: 3, stem: 'cifar' });
    const back = await loadModel(out);
    expect(modelConfig(back)).toEqual(m.config);
    expect(back.training).toBe(true);
    back.eval();
    const after = noGrad(() => back.forward(x)).dataSync();
    expect(new Uint8Array(after.buffer)).toEqual(new Uint8Array(before.buffer));
    const { metadata } = await loadSafetensorsWithMetadata(join(out, 'model.safetensors'));
    expect(JSON.parse(metadata['cnn.config'])).toEqual(m.config);
    m.dispose();
    back.dispose();
  });

  it('every architecture survives the round trip', async () => {
    const list = [
      models.lenet5({ activation: 'tanh' }), models.mnistCnn(), models.vgg({ blocks: [[4], [8]], classifier: [8], inputSize: 8 }),
      models.mobilenetV1({ widthMultiplier: 0.25, numClasses: 3 }),
    ];
    for (const [i, m] of list.entries()) {
      const out = join(dir, `m${i}`);
      await saveModel(out, m);
      const back = await loadModel(out);
      expect(modelConfig(back)).toEqual(m.config);
      const other = back.stateDict();
      expect(Object.keys(other)).toEqual(Object.keys(m.stateDict()));
      for (const [k, t] of Object.entries(m.stateDict())) {
        const a = t.dataSync();
        const b = other[k].dataSync();
        expect(b.constructor, k).toBe(a.constructor);
        expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength)), k).toBe(true);
      }
    }
  });

  it('clear errors: unknown type, invalid JSON, weights that do not fit, models without a config', async () => {
    const out = join(dir, 'bad');
    await saveModel(out, models.lenet5());
    writeFileSync(join(out, 'config.json'), JSON.stringify({ type: 'transformer' }));
    await expect(loadModel(out)).rejects.toThrow(/buildModel: unknown model type 'transformer'; known types: lenet5, mnistCnn/);
    writeFileSync(join(out, 'config.json'), '{ "type": "lenet5", ');
    await expect(loadModel(out)).rejects.toThrow(/config\.json is not valid JSON/);
    writeFileSync(join(out, 'config.json'), JSON.stringify({ type: 'lenet5', numClasses: 7 }));
    await expect(loadModel(out)).rejects.toThrow(/classifier\.4\.weight: shape \[10, 84\] in the state dict does not match the model's \[7, 84\]/);
    writeFileSync(join(out, 'config.json'), JSON.stringify({ type: 'lenet5', layers: ['x'] }));
    await expect(loadModel(out)).rejects.toThrow(/lenet5: unknown option 'layers'/);
    await expect(loadModel(join(dir, 'nothing'))).rejects.toThrow(/loadModel: cannot read/);
    const { nn } = await import('@cnn/core');
    class Custom extends nn.Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    await expect(saveModel(join(dir, 'custom'), new Custom())).rejects.toThrow(/modelConfig: the model is a Custom, a custom Module with its own forward/);
  });
});
