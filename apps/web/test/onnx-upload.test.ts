/**
 * Uploading an `.onnx` model (src/model-upload.ts, then what setModel does for it: src/onnx-file.ts, summary, the
 * forward pass with feature maps that predicts on the drawing), in Node on the cpu backend.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { F, manualSeed, nn, noGrad, rand, setBackend, type Tensor } from '@cnn/core';
import '@cnn/backend-cpu';
import { forwardWithFeatureMaps, summary, type ModelMetadata } from '@cnn/models';
import { exportOnnx, relativeMaxError, setOnnxMetadata } from '@cnn/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOnnxFile } from '../src/model-file.js';
import { modelFileFromUpload } from '../src/model-upload.js';
import { readOnnxModel } from '../src/onnx-file.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/onnx/test/fixtures');
const META: ModelMetadata = { classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'], inputShape: [1, 28, 28], normalize: { mean: 0.1307, std: 0.3081 }, dataset: 'mnist' };

function digitNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, stride: 2, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 4 * 7 * 7, outFeatures: 10 }),
  );
}

const onnxFile = (bytes: Uint8Array, name: string): File => new File([new Uint8Array(bytes)], name);

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(3);
});

describe('uploading an .onnx model', () => {
  it('a file from cnn export (with cnn.meta) predicts as the model it came from', async () => {
    const m = digitNet().eval();
    const exported = await exportOnnx(m, { inputShape: [1, 1, 28, 28] });
    const bytes = setOnnxMetadata(exported, { 'cnn.meta': JSON.stringify(META), 'cnn.model': 'Sequential' });
    const file = await modelFileFromUpload([onnxFile(bytes, 'digits.ONNX')]);
    expect(file).toMatchObject({ source: 'digits.ONNX', format: 'onnx' });
    expect(isOnnxFile(file)).toBe(true);
    expect(isOnnxFile({ bytes, source: 'kept.onnx' })).toBe(true); // a record stored before `format` existed
    const loaded = await readOnnxModel(file.bytes, file.source);
    expect(loaded.meta).toEqual(META);
    expect(loaded.architecture).toMatch(/^ONNX graph \(opset 13, \d+ nodes, from @cnn\/onnx /);
    // What the page does: summary, then one forward pass that also yields the feature maps, then softmax.
    const s = summary(loaded.model, [1, ...loaded.meta.inputShape]);
    expect(s.outputShape).toEqual([1, 10]);
    const x = rand([1, 1, 28, 28]);
    const want = noGrad(() => F.softmax(m.forward(x), -1));
    const traced = forwardWithFeatureMaps(loaded.model, x);
    const got = noGrad(() => F.softmax(traced.output, -1));
    expect(relativeMaxError(got.dataSync(), want.dataSync())).toBeLessThanOrEqual(1e-5);
    for (const t of [x, want, got, traced.output, ...traced.maps.values()] as Tensor[]) t.dispose();
    loaded.model.dispose();
    m.dispose();
  });

  it('a file from elsewhere: classes by output index, pixels as v/255; colour models get the digit in every channel', async () => {
    const m = digitNet();
    const plain = await readOnnxModel(await exportOnnx(m, { inputShape: [1, 1, 28, 28] }), 'plain.onnx');
    expect(plain.meta).toMatchObject({ classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [1, 28, 28], normalize: null });
    expect(plain.meta.trainedWith).toMatch(/without cnn metadata/);
    plain.model.dispose();
    m.dispose();
    // torchvision's SqueezeNet 1.1 exported by PyTorch (3×64×64, 10 classes; packages/onnx's fixture).
    const squeeze = await readOnnxModel(new Uint8Array(readFileSync(join(fixtures, 'squeezenet1_1_op13.onnx'))), 'squeezenet.onnx');
    expect(squeeze.meta.inputShape).toEqual([3, 64, 64]);
    expect(squeeze.meta.classNames).toHaveLength(10);
    squeeze.model.dispose();
  });

  it('graphs the page cannot feed or show are refused, saying why', async () => {
    const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, name)));
    const mlp = new nn.Sequential(new nn.Linear({ inFeatures: 784, outFeatures: 10 }));
    const wide = new nn.Sequential(new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }), new nn.GlobalAvgPool2d());
    const relu = setOnnxMetadata(await exportOnnx(digitNet(), { inputShape: [1, 1, 28, 28] }), {});
    const unknownOp = relu.slice();
    const from = new TextEncoder().encode('Relu');
    for (let i = 0; i + 4 <= unknownOp.length; i++) if (from.every((v, j) => unknownOp[i + j] === v)) unknownOp.set(new TextEncoder().encode('Relx'), i);
    const cases: [string, Uint8Array, RegExp][] = [
      ['text.onnx', new TextEncoder().encode('not a model'), /^text\.onnx: not a valid ONNX model \(protobuf decoding failed: /],
      ['empty.onnx', new Uint8Array(0), /^empty\.onnx: the model file is empty$/],
      ['mlp.onnx', await exportOnnx(mlp, { inputShape: [1, 784] }), /^mlp\.onnx: the graph's input 'input' has shape \[1, 784\]; the page feeds images as \[N, C, H, W\]/],
      ['wide.onnx', await exportOnnx(wide, { inputShape: [1, 1, 28, 32] }), /^wide\.onnx: the graph's input 'input' is 28×32; the page prepares square digit images/],
      ['batch2.onnx', fixture('shape_arith_op13.onnx'), /^batch2\.onnx: the graph's input 'input' has shape \[2, 4, 6, 6\]: it takes batches of exactly 2, and the page feeds one image/],
      ['segment.onnx', fixture('encoder_decoder_op13.onnx'), /^segment\.onnx: its output for one image has shape \[1, 1, 16, 16\]; the page shows a classifier's \[1, classes\]$/],
      ['relx.onnx', unknownOp, /^relx\.onnx: unsupported ONNX operator at opset 13: Relx: 1 node \(Relx_\d+\)$/],
      ['lying.onnx', setOnnxMetadata(relu, { 'cnn.meta': JSON.stringify({ ...META, inputShape: [1, 32, 32] }) }), /^lying\.onnx: the graph takes \[1, 28, 28\] images but its cnn\.meta metadata says \[1, 32, 32\]$/],
      ['classes.onnx', setOnnxMetadata(relu, { 'cnn.meta': JSON.stringify({ ...META, classNames: ['a', 'b'] }) }), /^classes\.onnx: the graph has 10 outputs but its cnn\.meta metadata names 2 classes$/],
    ];
    for (const [name, bytes, want] of cases) await expect(readOnnxModel(bytes, name), name).rejects.toThrow(want);
    await expect(modelFileFromUpload([onnxFile(relu, 'a.onnx'), new File(['{}'], 'config.json')])).rejects.toThrow(/an \.onnx file holds a whole model; choose it alone/);
    mlp.dispose();
    wide.dispose();
  });
});
