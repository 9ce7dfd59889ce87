/** Sequentials of every kind of nn layer → exportOnnx → ONNX Runtime, at several opsets; names; round trip. */
import '@cnn/backend-cpu';
import { fromBinary } from '@bufbuild/protobuf';
import { manualSeed, nn, noGrad, randn, setBackend, F, type Tensor } from '@cnn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelProtoSchema } from '../src/generated/onnx.proto3_pb.js';
import { models } from '@cnn/models';
import { exportOnnx, importOnnx, relativeMaxError, supportedOperators } from '../src/index.js';
import { compareWithOrt, randomizeStats } from './export-helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(11);
});

/** Image layers: convs (reflect padding, depthwise, transposed), every norm, pads, shuffles, pools, upsampling. */
function imageStack(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, paddingMode: 'reflect' }),
    new nn.BatchNorm2d({ numFeatures: 8 }),
    new nn.ReLU6(),
    new nn.ZeroPad2d({ padding: 1 }),
    new nn.MaxPool2d({ kernelSize: 3, stride: 2, ceilMode: true }),
    new nn.GroupNorm({ numGroups: 2, numChannels: 8 }),
    new nn.Hardswish(),
    new nn.ConvTranspose2d({ inChannels: 8, outChannels: 8, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1 }),
    new nn.InstanceNorm2d({ numFeatures: 8, affine: true }),
    new nn.Hardsigmoid(),
    new nn.PixelShuffle({ upscaleFactor: 2 }),
    new nn.ReflectionPad2d({ padding: 1 }),
    new nn.Conv2d({ inChannels: 2, outChannels: 8, kernelSize: 3, dilation: 2, padding: 1 }),
    new nn.PixelUnshuffle({ downscaleFactor: 2 }),
    new nn.ChannelShuffle({ groups: 4 }),
    new nn.ReplicationPad2d({ padding: [1, 0, 2, 1] }),
    new nn.AvgPool2d({ kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }),
    new nn.Upsample({ scaleFactor: 2, mode: 'nearest' }),
    new nn.Conv2d({ inChannels: 32, outChannels: 32, kernelSize: 3, padding: 'same', groups: 32 }),
    new nn.SiLU(),
    new nn.Upsample({ size: [13, 11], mode: 'bilinear', alignCorners: true }),
    new nn.Mish(),
    new nn.Dropout2d({ p: 0.3 }),
    new nn.Conv2d({ inChannels: 32, outChannels: 6, kernelSize: 1, stride: 2 }),
    new nn.PReLU({ numParameters: 6 }),
    new nn.AvgPool2d({ kernelSize: 2, stride: 1, ceilMode: true }),
  );
}

/** Vector layers after pooling: adaptive pools with uneven windows, LayerNorm, Linear, activations, softmax. */
function headStack(): nn.Sequential {
  return new nn.Sequential(
    new nn.AdaptiveMaxPool2d({ outputSize: [5, 4] }),
    new nn.AdaptiveAvgPool2d({ outputSize: 3 }),
    new nn.LayerNorm({ normalizedShape: [6, 3, 3] }),
    new nn.LeakyReLU({ negativeSlope: 0.2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 54, outFeatures: 20 }),
    new nn.ELU({ alpha: 0.7 }),
    new nn.Dropout({ p: 0.5 }),
    new nn.Linear({ inFeatures: 20, outFeatures: 16 }),
    new nn.GELU(),
    new nn.Softplus({ beta: 2, threshold: 1 }),
    new nn.Hardtanh({ minVal: -0.5, maxVal: 0.8 }),
    new nn.Tanh(),
    new nn.Linear({ inFeatures: 16, outFeatures: 12 }),
    new nn.Sigmoid(),
    new nn.LayerNorm({ normalizedShape: 12 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 12, outFeatures: 7, bias: false }),
    new nn.LogSoftmax({ dim: 1 }),
  );
}

function allLayers(): nn.Sequential {
  return new nn.Sequential(imageStack(), headStack());
}

/** A model with its own forward: a residual branch, concatenation, F calls, mean / max reductions. */
class Custom extends nn.Module {
  readonly a = this.registerModule('a', new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1 }));
  readonly bn = this.registerModule('bn', new nn.BatchNorm2d({ numFeatures: 4 }));
  readonly b = this.registerModule('b', new nn.Conv2d({ inChannels: 7, outChannels: 4, kernelSize: 1 }));
  readonly fc = this.registerModule('fc', new nn.Linear({ inFeatures: 8, outFeatures: 5 }));
  forward(x: Tensor): Tensor {
    const h = F.relu(this.bn.forward(this.a.forward(x)));
    const cat = F.concat([h, x], 1);
    const y = this.b.forward(cat).add(h).mul(0.5).sub(1).div(3);
    const pooled = F.concat([y.mean([2, 3]), y.max(3).max(2)], 1);
    return F.softmax(this.fc.forward(pooled.pow(2).sqrt().exp().log()), 1);
  }
}

describe('exportOnnx: nn layers in ONNX Runtime', () => {
  const cases: [string, () => nn.Module, number[]][] = [
    ['image layers', imageStack, [2, 3, 17, 15]],
    ['head layers', headStack, [2, 6, 11, 9]],
    ['every layer in one Sequential', allLayers, [1, 3, 17, 15]],
    ['own forward', () => new Custom(), [2, 3, 8, 8]],
  ];
  for (const opset of [13, 9, 11, 14, 18]) {
    for (const [name, make, shape] of cases) {
      it(`${name}, opset ${opset}`, async () => {
        const model = make();
        randomizeStats(model);
        const { error } = await compareWithOrt(model, shape, opset);
        console.log(`export ${name} opset ${opset}: max error ${error.toExponential(2)}`);
        expect(error).toBeLessThanOrEqual(1e-4);
        model.dispose();
      });
    }
  }
});

describe('exportOnnx: the file', () => {
  it('names initializers as the state dict, writes the opset and the input/output shapes', async () => {
    const model = allLayers().eval();
    const bytes = await exportOnnx(model, { inputShape: [1, 3, 17, 15], opset: 11 });
    const proto = fromBinary(ModelProtoSchema, bytes);
    expect(proto.opsetImport[0].version).toBe(11n);
    const inits = new Map(proto.graph!.initializer.map((t) => [t.name, t]));
    for (const [name, t] of Object.entries(model.stateDict())) {
      const init = inits.get(name);
      expect(init, name).toBeDefined();
      expect(init!.dims.map(Number)).toEqual(t.shape);
    }
    expect(proto.graph!.input.map((v) => v.name)).toEqual(['input']);
    expect(proto.graph!.output.map((v) => v.name)).toEqual(['output']);
    model.dispose();
  });

  it('leaves the module as it was: mode, parameters, backend methods, no leaked tensors', async () => {
    const model = new Custom();
    model.train();
    const before = Object.fromEntries(await Promise.all(Object.entries(model.stateDict()).map(async ([k, t]) => [k, Array.from(await t.data())])));
    const { memory } = await import('@cnn/core');
    const live = memory().numTensors;
    await exportOnnx(model, { inputShape: [1, 3, 8, 8] });
    expect(memory().numTensors).toBe(live);
    expect(model.training).toBe(true);
    expect(model.a.training).toBe(true);
    for (const [k, t] of Object.entries(model.stateDict())) expect(Array.from(await t.data()), k).toEqual(before[k]);
    const { getBackend } = await import('@cnn/core');
    expect(Object.prototype.hasOwnProperty.call(getBackend(), 'conv2d')).toBe(false);
    model.dispose();
  });

  it('rejects a bad opset or shape', async () => {
    const model = new nn.Sequential(new nn.ReLU());
    await expect(exportOnnx(model, { inputShape: [1, 2], opset: 8 })).rejects.toThrow(/opset/);
    await expect(exportOnnx(model, { inputShape: [] })).rejects.toThrow(/inputShape/);
  });

  it('reports a forward that uses an op with no ONNX form', async () => {
    const fold = new nn.Sequential(new nn.Fold({ outputSize: [4, 4], kernelSize: 2 }));
    await expect(exportOnnx(fold, { inputShape: [1, 8, 9] })).rejects.toThrow(/no ONNX form/);
  });
});

/** The ONNX operators a file uses that the importer does not support yet. */
function missingOps(bytes: Uint8Array): string[] {
  const have = new Set(supportedOperators());
  return [...new Set(fromBinary(ModelProtoSchema, bytes).graph!.node.map((n) => n.opType))].filter((op) => !have.has(op)).sort();
}

describe('exportOnnx → importOnnx round trip', () => {
  const cases: [string, () => nn.Module, number[]][] = [
    ['lenet5', () => models.lenet5(), [2, 1, 28, 28]],
    ['mnistCnn', () => models.mnistCnn(), [1, 1, 28, 28]],
    ['autoencoder', () => models.autoencoder(), [1, 1, 28, 28]],
    ['unet without batch norm', () => models.unet({ baseChannels: 4, batchNorm: false }), [1, 1, 16, 16]],
    ['resnet18', () => models.resnet18({ numClasses: 10, stem: 'cifar' }), [1, 3, 32, 32]],
    ['image layers', imageStack, [1, 3, 17, 15]],
    ['head layers', headStack, [2, 6, 11, 9]],
    ['own forward', () => new Custom(), [2, 3, 8, 8]],
  ];
  // The layer stacks also at the opsets where signatures change (axes as inputs at 13 / 18, comparisons at 12).
  const runs: [string, () => nn.Module, number[], number][] = [
    ...cases.map(([n, m, s]): [string, () => nn.Module, number[], number] => [n, m, s, 13]),
    ...cases.slice(5).flatMap(([n, m, s]) => [9, 11, 18].map((o): [string, () => nn.Module, number[], number] => [`${n}, opset ${o}`, m, s, o])),
  ];
  for (const [name, make, shape, opset] of runs) {
    it(name, async (ctx) => {
      const model = make().eval();
      randomizeStats(model);
      const bytes = await exportOnnx(model, { inputShape: shape, opset });
      const missing = missingOps(bytes);
      if (missing.length) {
        // The importer (a separate work item) does not read these operators yet; ONNX Runtime checks the file above.
        console.log(`round trip ${name}: skipped, importer lacks ${missing.join(', ')}`);
        model.dispose();
        ctx.skip();
        return;
      }
      const x = randn(shape);
      const want = noGrad(() => model.forward(x));
      const imported = (await importOnnx(bytes)).eval();
      const got = noGrad(() => imported.forward(x));
      expect(got.shape).toEqual(want.shape);
      const error = relativeMaxError(await got.data(), await want.data());
      console.log(`round trip ${name}: max error ${error.toExponential(2)}`);
      expect(error).toBeLessThanOrEqual(1e-4);
      const names = new Set(imported.namedParameters().map(([n]) => n));
      for (const [n] of model.namedParameters()) expect(names.has(n), n).toBe(true);
      imported.dispose();
      model.dispose();
    });
  }
});
