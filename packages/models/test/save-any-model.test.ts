/** A user's own architecture: PyTorch state dicts into ModuleList / ModuleDict models, and saveModel / loadModel /
 * one-file models for models made of nn layers and containers. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, F, manualSeed, nn, noGrad, randn, setBackend, tensor, type Tensor } from '@cnn/core';
import { buildModel, buildModelFromFile, encodeModelFile, modelConfig, models, readModelFile, toStateDict, type ModelMetadata } from '../src/index.js';
import { loadModel, loadModelFile, loadSafetensors, saveModel } from '../src/node.js';

const fixtures = new URL('./fixtures/', import.meta.url);
let dir: string;

beforeAll(async () => {
  await setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'cnn-save-any-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The module of fixtures/containers.py, written with nn.ModuleList and nn.ModuleDict. */
class Block extends nn.Module {
  readonly conv = this.registerModule('conv', new nn.Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1 }));
  readonly bn = this.registerModule('bn', new nn.BatchNorm2d({ numFeatures: 4 }));
  forward(x: Tensor): Tensor {
    return F.relu(this.bn.forward(this.conv.forward(x)));
  }
}
class Net extends nn.Module {
  readonly stem = this.registerModule('stem', new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }));
  readonly blocks = this.registerModule('blocks', new nn.ModuleList([new Block(), new Block()]));
  readonly heads = this.registerModule('heads', new nn.ModuleDict({ cls: new nn.Linear({ inFeatures: 4, outFeatures: 3 }), aux: new nn.Linear({ inFeatures: 4, outFeatures: 2 }) }));
  forward(x: Tensor): Tensor {
    let h = F.relu(this.stem.forward(x));
    for (const b of this.blocks) h = F.add(h, b.forward(h));
    const pooled = F.mean(h, [2, 3]);
    return F.concat([this.heads.get('cls')!.forward(pooled), this.heads.get('aux')!.forward(pooled)], 1);
  }
}

function expectClose(got: ArrayLike<number>, want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  want.forEach((e, i) => expect(Math.abs(got[i] - e)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(e)));
}

describe('a hand-written module with nn.ModuleList / nn.ModuleDict loads a PyTorch state dict', () => {
  it("same names as PyTorch (blocks.0.conv.weight, heads.cls.bias), same eval output", async () => {
    const spec = JSON.parse(readFileSync(new URL('containers.json', fixtures), 'utf8'));
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual(spec.names);
    net.loadStateDict(toStateDict(await loadSafetensors(new URL('containers.safetensors', fixtures).pathname)));
    net.eval();
    const y = noGrad(() => net.forward(tensor(Float32Array.from(spec.input.data), spec.input.shape)));
    expect(y.shape).toEqual(spec.output.shape);
    expectClose(y.dataSync(), spec.output.data);
    // The whole Net has its own forward: not a config; its ModuleDict of built-in layers is (modules and weights).
    expect(() => modelConfig(net)).toThrow(/modelConfig: the model is a Net, a custom Module with its own forward/);
    expect(() => modelConfig(net.blocks)).toThrow(/modelConfig: modules\[0\] \(module '0'\) is a Block, a custom Module/);
    expect(modelConfig(net.heads)).toEqual({
      type: 'ModuleDict',
      modules: { cls: { type: 'Linear', inFeatures: 4, outFeatures: 3, bias: true }, aux: { type: 'Linear', inFeatures: 4, outFeatures: 2, bias: true } },
      order: ['cls', 'aux'],
    });
    net.dispose();
    y.dispose();
  });
});

/** A user's own CNN: nested Sequentials of built-in layers (blocks as Sequentials). */
function myNet(): nn.Sequential {
  const block = (i: number, o: number): nn.Sequential =>
    new nn.Sequential(new nn.Conv2d({ inChannels: i, outChannels: o, kernelSize: 3, padding: 1, bias: false }), new nn.BatchNorm2d({ numFeatures: o }), new nn.LeakyReLU({ negativeSlope: 0.1 }));
  return new nn.Sequential(
    block(1, 4),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Sequential(block(4, 8), new nn.DepthwiseSeparableConv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1 })),
    new nn.AdaptiveAvgPool2d({ outputSize: 2 }),
    new nn.Flatten(),
    new nn.Dropout({ p: 0.3 }),
    new nn.Linear({ inFeatures: 32, outFeatures: 10 }),
  );
}

const META: ModelMetadata = { classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [1, 12, 12], normalize: null, dataset: 'mine' };

function outputs(m: nn.Module, x: Tensor): Float32Array {
  return noGrad(() => m.eval().forward(x)).dataSync() as Float32Array;
}

describe('saveModel / loadModel / model files for a model made of nn layers', () => {
  it('a nested Sequential: config.json, model.safetensors, loadModel → the same outputs bit for bit', async () => {
    manualSeed(3);
    const m = myNet();
    noGrad(() => m.train().forward(randn([4, 1, 12, 12])).dispose()); // BN running statistics off their defaults
    const x = randn([2, 1, 12, 12]);
    const want = outputs(m, x);
    const out = join(dir, 'mine');
    await saveModel(out, m);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.type).toBe('Sequential');
    expect(config.layers[2]).toEqual({
      type: 'Sequential',
      layers: [
        { type: 'Sequential', layers: [
          { type: 'Conv2d', inChannels: 4, outChannels: 8, kernelSize: 3, padding: 1, bias: false },
          { type: 'BatchNorm2d', numFeatures: 8, eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true },
          { type: 'LeakyReLU', negativeSlope: 0.1 },
        ] },
        { type: 'DepthwiseSeparableConv2d', inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1 },
      ],
    });
    const back = await loadModel(out);
    expect(back).toBeInstanceOf(nn.Sequential);
    expect(modelConfig(back)).toEqual(config);
    expect(outputs(back, x)).toEqual(want);
    for (const t of [m, back]) t.dispose();
    x.dispose();
  });

  it('one file with metadata: encodeModelFile → readModelFile → buildModelFromFile; saveModel with meta → loadModelFile', async () => {
    const m = myNet();
    const x = randn([1, 1, 12, 12]);
    const want = outputs(m, x);
    const contents = readModelFile(await encodeModelFile(m, META));
    expect(contents.config.type).toBe('Sequential');
    const back = buildModelFromFile(contents);
    expect(back.training).toBe(false);
    expect(outputs(back, x)).toEqual(want);
    await saveModel(join(dir, 'one'), m, META);
    const loaded = await loadModelFile(join(dir, 'one', 'model.safetensors'));
    expect(loaded.meta.dataset).toBe('mine');
    expect(outputs(loaded.model, x)).toEqual(want);
    // Weights of another architecture are refused, naming it.
    const other = await encodeModelFile(new nn.Sequential(new nn.Flatten(), new nn.Linear({ inFeatures: 144, outFeatures: 10 })), META);
    expect(() => buildModelFromFile(readModelFile(other, { config: modelConfig(m) }))).toThrow(/model file: the weights belong to another architecture than a Sequential of 7 layers: missing tensors 0\.0\.weight, .*; unexpected tensors 1\.weight, 1\.bias/);
    for (const t of [m, back, loaded.model]) t.dispose();
    x.dispose();
  });

  it('an architecture of `models` inside a Sequential is written by its own config', async () => {
    const lenet = models.lenet5({ numClasses: 4 });
    const m = new nn.Sequential(lenet, new nn.Softmax({ dim: 1 }));
    const config = modelConfig(m);
    expect(config).toEqual({ type: 'Sequential', layers: [lenet.config, { type: 'Softmax', dim: 1 }] });
    expect(lenet.config).toMatchObject({ type: 'lenet5', numClasses: 4 });
    const back = buildModel(JSON.parse(JSON.stringify(config)));
    back.loadStateDict(m.stateDict());
    const x = randn([1, 1, 28, 28]);
    expect(outputs(back, x)).toEqual(outputs(m, x));
    for (const t of [m, back, x]) t.dispose();
  });

  it('errors name the place in the config; nothing is evaluated', async () => {
    expect(() => buildModel({ type: 'Sequential', layers: [{ type: 'ReLU' }, { type: 'Conv2d', inChannels: 1, outChannels: 2, kernelSize: 3, strides: 2 }] })).toThrow(
      /^buildModel: layers\[1\]\.strides: unknown option 'strides' for Conv2d; its options: inChannels/,
    );
    expect(() => buildModel({ type: 'Sequential', layers: [{ type: 'Swish' }] })).toThrow(/^buildModel: layers\[0\]\.type: unknown layer type 'Swish'; known types: lenet5, .*Conv2d/);
    expect(() => buildModel({ type: 'Sequential', layers: [{ type: 'lenet5', numClasses: 0 }] })).toThrow(/^buildModel: layers\[0\] \(lenet5\): lenet5: numClasses must be an integer ≥ 1, got 0/);
    expect(() => buildModel({ type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 'function () {}', outFeatures: 1 }] })).toThrow(CnnError);
    const bytes = await encodeModelFile(myNet(), META);
    expect(() => readModelFile(bytes, { config: { type: 'Sequentail', layers: [] } })).toThrow(/model file: unknown architecture "Sequentail"; known: lenet5, .*, or a layer config \(Sequential, ModuleList, ModuleDict, /);
  });
});
