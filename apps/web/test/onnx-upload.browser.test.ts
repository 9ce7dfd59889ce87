/**
 * An `.onnx` model uploaded in Chromium (cpu backend): the on-demand importer chunk loads, the card names the graph,
 * the drawing is predicted with the model's answer, the model survives a reload (IndexedDB keeps its format), Download
 * gives the .onnx back, and a graph the page cannot feed is refused with its reason. (The Node-level checks of every
 * refusal are in onnx-upload.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, manualSeed, nn, noGrad, setBackend, tensor } from '@cnn/core';
import { preprocessDigit, type ModelMetadata } from '@cnn/models';
import { exportOnnx, setOnnxMetadata } from '@cnn/onnx';
import { AppPage, browserAvailable, connectBrowser, maxAbsDiff, modelFile, pngFile } from './harness/app-page.js';
import { makeDigitPhotos, type DigitPhoto } from './fixtures/digit-photos.js';

const META: ModelMetadata = { classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [1, 28, 28], normalize: { mean: 0.1307, std: 0.3081 }, dataset: 'mnist' };

describe.skipIf(!browserAvailable())('an .onnx model in the web app', () => {
  let app: AppPage;
  let probe: DigitPhoto;
  let onnx: Uint8Array;
  let want: number[];

  beforeAll(async () => {
    await setBackend('cpu');
    manualSeed(7);
    const net = new nn.Sequential(
      new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 5, stride: 2 }),
      new nn.ReLU(),
      new nn.Flatten(),
      new nn.Linear({ inFeatures: 4 * 12 * 12, outFeatures: 10 }),
    ).eval();
    onnx = setOnnxMetadata(await exportOnnx(net, { inputShape: [1, 1, 28, 28] }), { 'cnn.meta': JSON.stringify(META) });
    probe = makeDigitPhotos({ perClass: 1 })[3];
    // What the page should show for the probe: the same preprocessing, the same model, in Node.
    const d = preprocessDigit({ width: probe.width, height: probe.height, data: probe.rgba }, { size: 28, normalize: META.normalize, invert: 'auto' });
    want = Array.from(noGrad(() => F.softmax(net.forward(tensor(d.data, d.shape)), -1)).dataSync());
    app = await AppPage.open(await connectBrowser());
  }, 240_000);

  afterEach(() => app?.assertNoErrors());
  afterAll(async () => app?.close());

  it('predicts with an uploaded .onnx, keeps it over a reload, downloads it back, refuses a graph it cannot feed', async () => {
    await app.uploadModel(modelFile('digits.onnx', onnx));
    const status = await app.status();
    expect(status.kind, status.text).toBe('info');
    expect(await app.page.getByTestId('model-info').textContent()).toMatch(/ONNX graph \(opset 13, \d+ nodes, from @cnn\/onnx/);
    const got = await app.uploadImage(pngFile(probe.name, probe.png));
    expect(maxAbsDiff(got.probs, want), `page ${got.probs} vs node ${want}`).toBeLessThanOrEqual(1e-5);
    await app.page.reload();
    await app.waitReady(120_000);
    const restored = await app.uploadImage(pngFile(probe.name, probe.png));
    expect(maxAbsDiff(restored.probs, got.probs)).toBeLessThanOrEqual(1e-6);
    const down = await app.downloadModel();
    expect(down.name).toBe('digits.onnx');
    expect(new Uint8Array(down.bytes)).toEqual(onnx);
    const mlp = await exportOnnx(new nn.Sequential(new nn.Linear({ inFeatures: 784, outFeatures: 10 })), { inputShape: [1, 784] });
    await app.uploadModel(modelFile('mlp.onnx', mlp));
    const refused = await app.status();
    expect(refused.kind).toBe('error');
    expect(refused.text).toContain("mlp.onnx: the graph's input 'input' has shape [1, 784]; the page feeds images as [N, C, H, W]");
    expect((await app.prediction()).probs).toEqual(restored.probs); // the current model stays
  }, 240_000);
});
