/**
 * Uploading a model of the user's own architecture (src/model-upload.ts, then what setModel does: readModelFile,
 * buildModelFromFile, summary), in Node on the cpu backend: one self-contained .safetensors, and the saveModel folder
 * pair config.json + model.safetensors. The upload control itself is covered by app.browser.test.ts.
 */
import { manualSeed, nn, noGrad, randn, setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { buildModelFromFile, describeConfig, encodeModelFile, encodeSafetensors, modelConfig, readModelFile, summary, type ModelMetadata } from '@cnn/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFileFromUpload } from '../src/model-upload.js';

const META: ModelMetadata = { classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [1, 28, 28], normalize: null, dataset: 'mnist' };

function myNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Sequential(new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, stride: 2, padding: 1 }), new nn.BatchNorm2d({ numFeatures: 4 }), new nn.SiLU()),
    new nn.AdaptiveAvgPool2d({ outputSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 16, outFeatures: 10 }),
  );
}

/** What the page does with an uploaded file: read, build, summarise. */
function load(bytes: Uint8Array): { model: nn.Module; label: string } {
  const contents = readModelFile(bytes);
  const model = buildModelFromFile(contents);
  const s = summary(model, [1, ...contents.meta.inputShape]);
  expect(s.unknownTypes).toEqual([]);
  return { model, label: describeConfig(contents.config) };
}

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(2);
});

describe('uploading a model of your own architecture', () => {
  it('one .safetensors file (encodeModelFile) and the saveModel pair config.json + model.safetensors', async () => {
    const m = myNet();
    const x = randn([1, 1, 28, 28]);
    const want = noGrad(() => m.eval().forward(x)).dataSync();
    const one = await modelFileFromUpload([new File([new Uint8Array(await encodeModelFile(m, META))], 'mine.safetensors')]);
    const a = load(one.bytes);
    expect(a.label).toBe('a Sequential of 4 layers');
    expect(noGrad(() => a.model.forward(x)).dataSync()).toEqual(want);

    const weights = await encodeSafetensors(m.stateDict(), { format: 'pt' }); // no embedded config or metadata
    const pair = await modelFileFromUpload([
      new File([JSON.stringify(modelConfig(m))], 'config.json'),
      new File([new Uint8Array(weights)], 'model.safetensors'),
    ]);
    expect(pair.source).toBe('config.json + model.safetensors');
    const b = load(pair.bytes);
    expect(noGrad(() => b.model.forward(x)).dataSync()).toEqual(want);
    for (const t of [m, a.model, b.model, x]) t.dispose();
  });

  it('a config naming an unknown layer is refused, naming it', async () => {
    const m = myNet();
    const bad = { type: 'Sequential', layers: [{ type: 'Conv5d' }] };
    const files = [new File([JSON.stringify(bad)], 'config.json'), new File([new Uint8Array(await encodeModelFile(m, META))], 'model.safetensors')];
    const file = await modelFileFromUpload(files); // the file reads; building it names the layer
    expect(() => buildModelFromFile(readModelFile(file.bytes))).toThrow(/model file: its architecture config is invalid: buildModel: layers\[0\]\.type: unknown layer type 'Conv5d'/);
    m.dispose();
  });
});
