/** One-file models: encodeModelFile / readModelFile / buildModelFromFile, saveModel with meta, loadModelFile. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, manualSeed, memory, noGrad, randn, setBackend } from '@cnn/core';
import {
  buildModelFromFile, decodeSafetensorsWithMetadata, encodeModelFile, encodeModelFileContents, encodeSafetensors, FASHION_MNIST_CLASSES, FASHION_MNIST_STATS, MNIST_STATS,
  modelConfig, models, readModelFile, type ModelMetadata,
} from '../src/index.js';
import { encodePng, loadModel, loadModelFile, saveModel } from '../src/node.js';

let dir: string;
const mnistMeta: ModelMetadata = {
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [1, 28, 28], normalize: MNIST_STATS, dataset: 'mnist', testAccuracy: 0.98, trainedWith: 'test',
};

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(5);
  dir = mkdtempSync(join(tmpdir(), 'cnn-model-file-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('one-file models', () => {
  it('round trip model → bytes → model gives bit-identical outputs, in eval mode, with the metadata', async () => {
    const m = models.lenet5();
    m.eval();
    const x = randn([3, 1, 28, 28]);
    const before = noGrad(() => m.forward(x)).dataSync() as Float32Array;
    const bytes = await encodeModelFile(m, mnistMeta);
    const { metadata } = decodeSafetensorsWithMetadata(bytes);
    expect(metadata.format).toBe('pt');
    expect(JSON.parse(metadata['cnn.config'])).toEqual(m.config);
    expect(JSON.parse(metadata['cnn.meta'])).toEqual(mnistMeta);
    const contents = readModelFile(bytes);
    expect(contents.config).toEqual(m.config);
    expect(contents.meta).toEqual(mnistMeta);
    const back = buildModelFromFile(contents);
    expect(back.training).toBe(false);
    expect(modelConfig(back)).toEqual(m.config);
    expect(sameBits(noGrad(() => back.forward(x)).dataSync() as Float32Array, before)).toBe(true);
    m.dispose();
    back.dispose();
  });

  it('keeps BatchNorm statistics and non-MNIST metadata (resnet18, Fashion-MNIST classes)', async () => {
    const m = models.resnet18({ numClasses: 10, inChannels: 1, stem: 'cifar' });
    m.train();
    noGrad(() => m.forward(randn([2, 1, 8, 8], { mean: 0.3, std: 2 })).dispose());
    m.eval();
    const meta: ModelMetadata = { classNames: [...FASHION_MNIST_CLASSES], inputShape: [1, 28, 28], normalize: FASHION_MNIST_STATS, dataset: 'fashion-mnist' };
    const back = buildModelFromFile(readModelFile(await encodeModelFile(m, meta)));
    const x = randn([1, 1, 28, 28]);
    expect(sameBits(noGrad(() => back.forward(x)).dataSync() as Float32Array, noGrad(() => m.forward(x)).dataSync() as Float32Array)).toBe(true);
    expect(readModelFile(await encodeModelFile(m, meta)).meta.classNames[9]).toBe('Ankle boot');
    m.dispose();
    back.dispose();
  });

  it('names the wrong kind of file: PNG, JPEG, JSON, zip, empty, truncated', async () => {
    const png = encodePng({ width: 1, height: 1, data: new Uint8Array(4) });
    expect(() => readModelFile(png)).toThrow(/^model file: this is a PNG image, not a \.safetensors model$/);
    expect(() => readModelFile(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toThrow(/model file: this is a JPEG image, not a \.safetensors model/);
    expect(() => readModelFile(new TextEncoder().encode('{ "type": "lenet5" }'))).toThrow(/model file: this is a JSON text file \(config\.json\?/);
    expect(() => readModelFile(Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 1, 2))).toThrow(/model file: this is a zip archive \(a PyTorch \.pt\/\.pth checkpoint/);
    expect(() => readModelFile(new Uint8Array(0))).toThrow(/model file: the file is empty/);
    expect(() => readModelFile('x' as unknown as Uint8Array)).toThrow(/model file: expected the file's bytes as a Uint8Array, got string/);
    const good = await encodeModelFile(models.lenet5(), mnistMeta);
    expect(() => readModelFile(good.subarray(0, good.length - 100))).toThrow(/model file: not a valid \.safetensors file \(.*outside the .* bytes of data \(truncated file\?\)/);
    expect(() => readModelFile(good.subarray(0, 5))).toThrow(/model file: not a valid \.safetensors file \(truncated file: 5 bytes/);
    expect(() => readModelFile(good.subarray(0, 60))).toThrow(/model file: not a valid \.safetensors file \(truncated file: the header claims/);
    expect(() => readModelFile(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff))).toThrow(CnnError);
  });

  it('needs an architecture: embedded cnn.config, or opts.config (which takes precedence)', async () => {
    const m = models.lenet5();
    const bare = await encodeSafetensors(m.stateDict(), { format: 'pt' });
    expect(() => readModelFile(bare)).toThrow(/model file: the file has no embedded architecture \(cnn\.config in its metadata\); give the config\.json saved next to it too/);
    const withConfig = readModelFile(bare, { config: { type: 'lenet5' } });
    expect(withConfig.config).toEqual({ type: 'lenet5' });
    expect(withConfig.meta).toEqual({ classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [1, 28, 28], normalize: MNIST_STATS, dataset: 'mnist' });
    buildModelFromFile(withConfig).dispose();
    // The pair (bare weights + config) re-encoded as one file, without building the model: self-contained, same weights.
    const oneFile = readModelFile(await encodeModelFileContents(withConfig));
    expect(oneFile.config).toEqual({ type: 'lenet5' });
    expect(oneFile.meta).toEqual(withConfig.meta);
    for (const [k, e] of Object.entries(withConfig.entries)) expect(sameBits(oneFile.entries[k].data as Float32Array, e.data as Float32Array), k).toBe(true);
    expect(readModelFile(bare, { config: '{"type":"lenet5","activation":"relu"}' }).config).toEqual({ type: 'lenet5', activation: 'relu' });
    expect(() => readModelFile(bare, { config: '{"type":' })).toThrow(/model file: the config given with the file is not valid JSON/);
    // opts.config wins over the embedded one.
    const embedded = await encodeModelFile(m, mnistMeta);
    expect(() => buildModelFromFile(readModelFile(embedded, { config: { type: 'mnistCnn' } }))).toThrow(/model file: the weights belong to another architecture than mnistCnn .*missing tensors conv1\.weight/);
    m.dispose();
  });

  it('rejects unknown architectures and metadata that disagrees with the architecture, before building', async () => {
    const m = models.lenet5();
    const before = memory().numTensors;
    const bytes = await encodeSafetensors(m.stateDict(), { format: 'pt', 'cnn.config': JSON.stringify({ type: 'transformer', layers: 12 }) });
    expect(() => readModelFile(bytes)).toThrow(/model file: unknown architecture "transformer"; known: lenet5, mnistCnn/);
    const noType = await encodeSafetensors(m.stateDict(), { 'cnn.config': '[1, 2]' });
    expect(() => readModelFile(noType)).toThrow(/model file: the architecture config must be an object/);
    const badMeta = await encodeSafetensors(m.stateDict(), { 'cnn.config': JSON.stringify(m.config), 'cnn.meta': JSON.stringify({ classNames: ['a', 'b'], inputShape: [1, 28, 28], normalize: null }) });
    expect(() => readModelFile(badMeta)).toThrow(/model file: the lenet5 architecture has 10 outputs but the metadata names 2 classes \(a, b\)/);
    const badShape = await encodeSafetensors(m.stateDict(), { 'cnn.config': JSON.stringify(m.config), 'cnn.meta': JSON.stringify({ ...mnistMeta, inputShape: [3, 28, 28] }) });
    expect(() => readModelFile(badShape)).toThrow(/model file: the lenet5 architecture takes 1-channel inputs but the metadata's inputShape is \[3, 28, 28\]/);
    const notJson = await encodeSafetensors(m.stateDict(), { 'cnn.config': JSON.stringify(m.config), 'cnn.meta': 'hello' });
    expect(() => readModelFile(notJson)).toThrow(/model file: the embedded cnn\.meta is not valid JSON/);
    const badField = await encodeSafetensors(m.stateDict(), { 'cnn.config': JSON.stringify(m.config), 'cnn.meta': JSON.stringify({ ...mnistMeta, testAccuracy: 98 }) });
    expect(() => readModelFile(badField)).toThrow(/model file: cnn\.meta\.testAccuracy must be a number in \[0, 1\], got 98/);
    // opts.meta overrides embedded fields.
    const ok = await encodeModelFile(m, mnistMeta);
    expect(readModelFile(ok, { meta: { normalize: null, dataset: 'my-digits' } }).meta).toMatchObject({ normalize: null, dataset: 'my-digits', testAccuracy: 0.98 });
    expect(() => readModelFile(ok, { meta: { classNames: [] } })).toThrow(/cnn\.meta\.classNames must be a non-empty list of strings/);
    expect(memory().numTensors).toBe(before); // nothing was built
    await expect(encodeModelFile(m, { ...mnistMeta, classNames: ['x'] })).rejects.toThrow(/has 10 outputs but the metadata names 1 classes/);
    await expect(encodeModelFile(m, { ...mnistMeta, normalize: { mean: 0, std: -1 } })).rejects.toThrow(/encodeModelFile: meta\.normalize must be null or \{ mean, std \}/);
    m.dispose();
  });

  it('loads strictly: missing, unexpected and mis-shaped tensors are named, and the half-built model is disposed', async () => {
    const m = models.lenet5();
    const dict = m.stateDict();
    const config = JSON.stringify(m.config);
    const other = models.mnistCnn();
    const wrongKernel = randn([6, 1, 3, 3]);
    const loader = async (d: Parameters<typeof encodeSafetensors>[0], md: Record<string, string>): Promise<() => unknown> => {
      const bytes = await encodeSafetensors(d, md);
      return () => buildModelFromFile(readModelFile(bytes));
    };
    const before = memory().numTensors;
    const { 'classifier.4.bias': _dropped, ...missing } = dict;
    expect(await loader(missing, { 'cnn.config': config })).toThrow(/model file: the weights belong to another architecture than lenet5 .*: missing tensors classifier\.4\.bias/);
    expect(await loader({ ...dict, extra: dict['classifier.4.bias'] }, { 'cnn.config': config })).toThrow(/unexpected tensors extra/);
    expect(await loader(other.stateDict(), { 'cnn.config': config })).toThrow(/another architecture than lenet5.*missing tensors features\.0\.weight, .*unexpected tensors conv1\.weight/);
    const shapes = { ...dict, 'features.0.weight': wrongKernel };
    expect(await loader(shapes, { 'cnn.config': config })).toThrow(/'features\.0\.weight' has shape \[6, 1, 3, 3\] but the architecture needs \[6, 1, 5, 5\]/);
    expect(await loader(dict, { 'cnn.config': JSON.stringify({ type: 'lenet5', bogus: 1 }) })).toThrow(/model file: its architecture config is invalid: lenet5: unknown option 'bogus'/);
    expect(memory().numTensors).toBe(before); // every half-built model was disposed
    for (const x of [m, other]) x.dispose();
    wrongKernel.dispose();
  });

  it('saveModel with meta writes a self-contained model.safetensors; loadModelFile and loadModel read it', async () => {
    const m = models.mnistCnn();
    m.eval();
    const out = join(dir, 'mnist');
    await saveModel(out, m, mnistMeta);
    const path = join(out, 'model.safetensors');
    const { model, meta, config } = await loadModelFile(path);
    expect(meta).toEqual(mnistMeta);
    expect(config).toEqual(m.config);
    const x = randn([1, 1, 28, 28]);
    expect(sameBits(noGrad(() => model.forward(x)).dataSync() as Float32Array, noGrad(() => m.forward(x)).dataSync() as Float32Array)).toBe(true);
    const dirForm = await loadModel(out);
    expect(modelConfig(dirForm)).toEqual(m.config);
    expect(readModelFile(new Uint8Array(readFileSync(path))).meta.testAccuracy).toBe(0.98);
    await expect(loadModelFile(join(dir, 'missing.safetensors'))).rejects.toThrow(/loadModelFile: cannot read/);
    for (const x2 of [m, model, dirForm]) x2.dispose();
  });
});
