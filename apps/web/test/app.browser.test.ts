/**
 * The web app end to end in Chromium, once per backend: drawing, photo uploads, what the network sees, bad model
 * files, training in the page, and a downloaded model surviving a reload. Each backend gets one fresh browser context
 * (its own IndexedDB), used by its tests in order; the harness fails a test on any console or page error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppPage, browserAvailable, connectBrowser, maxAbsDiff, modelFile, pngFile, type ProbabilitySnapshot } from './harness/app-page.js';
import { BACKENDS, type BackendName } from './harness/chromium-flags.js';
import { makeDigitPhotos, truncated, type DigitPhoto } from './fixtures/digit-photos.js';
import { cliFolderOf } from './fixtures/cli-folder.js';

/** Strokes as fractions of the canvas: a "1" (one vertical line), a "0" (an ellipse), a "7" (a bar and a diagonal). */
const ELLIPSE: Array<[number, number]> = Array.from({ length: 17 }, (_, i) => {
  const a = (i / 16) * 2 * Math.PI;
  return [0.5 + 0.2 * Math.sin(a), 0.5 - 0.3 * Math.cos(a)];
});
const DRAWN_DIGITS: Array<{ label: number; strokes: Array<Array<[number, number]>> }> = [
  { label: 1, strokes: [[[0.5, 0.18], [0.5, 0.5], [0.5, 0.82]]] },
  { label: 0, strokes: [ELLIPSE] },
  { label: 7, strokes: [[[0.28, 0.22], [0.72, 0.22], [0.6, 0.45], [0.46, 0.82]]] },
];

/** Training: seconds allowed per backend (the gpu backend runs on SwiftShader, a CPU rasteriser, here). */
const TRAIN_TIMEOUT_MS: Record<BackendName, number> = { cpu: 300_000, workers: 300_000, gpu: 900_000 };

const timings: string[] = [];
/** Test accuracy after training, by backend (the same seeded run everywhere). */
const trainedAccuracy = new Map<BackendName, number>();

describe.skipIf(!browserAvailable()).each(BACKENDS)('web app on the %s backend', (backend) => {
  let app: AppPage;
  let photos: DigitPhoto[];
  /** The photo every model comparison uses, and its prediction by the pretrained model. */
  let probe: DigitPhoto;
  let pretrainedBytes: Buffer;
  let pretrainedOnProbe: ProbabilitySnapshot;
  let trainedOnProbe: ProbabilitySnapshot | null = null;

  beforeAll(async () => {
    photos = makeDigitPhotos({ perClass: 4 });
    probe = photos.find((p) => p.label === 4 && !p.small) ?? photos[0];
    const t0 = performance.now();
    app = await AppPage.open(await connectBrowser());
    await app.selectBackend(backend);
    timings.push(`${backend}: page open + backend ready ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    app.assertNoErrors();
  }, 240_000);

  afterEach(() => app?.assertNoErrors());

  afterAll(async () => {
    await app?.close();
    if (backend === BACKENDS[BACKENDS.length - 1]) console.log(`[apps/web] ${timings.join('\n[apps/web] ')}`);
  });

  it('recognises a 1, a 0 and a 7 drawn with the mouse', async () => {
    for (const digit of DRAWN_DIGITS) {
      const got = await app.draw(digit.strokes);
      expect(got.predicted, `drawn ${digit.label} on ${backend}: probabilities ${got.probs.map((p) => p.toFixed(3)).join(' ')}`).toBe(digit.label);
      expect(got.probs).toHaveLength(10);
      expect(got.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    await app.screenshot(`draw-predict-${backend}`);
  }, 90_000);

  it('classifies ≥ 90 % of the photographed MNIST digits', async () => {
    const t0 = performance.now();
    const misses: string[] = [];
    for (const photo of photos) {
      const got = await app.uploadImage(pngFile(photo.name, photo.png));
      if (got.predicted !== photo.label) misses.push(`${photo.name} → ${got.predicted}${photo.small ? ' (small)' : ''}`);
    }
    const score = (photos.length - misses.length) / photos.length;
    const line = `${backend}: photos ${photos.length - misses.length}/${photos.length} = ${(score * 100).toFixed(0)} % right in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    timings.push(line + (misses.length ? `; missed ${misses.join(', ')}` : ''));
    console.log(`[apps/web] ${line}${misses.length ? `; missed ${misses.join(', ')}` : ''}`);
    expect(score, `misses: ${misses.join(', ')}`).toBeGreaterThanOrEqual(0.9);
  }, 240_000);

  it('shows non-blank feature maps and the backend facts', async () => {
    pretrainedOnProbe = await app.uploadImage(pngFile(probe.name, probe.png));
    expect(pretrainedOnProbe.predicted).toBe(probe.label);
    const maps = await app.featureMapStats();
    expect(maps.length, 'canvases under feature-maps').toBeGreaterThan(0);
    for (const [i, m] of maps.entries()) {
      expect(m.width * m.height, `feature-map canvas ${i} size`).toBeGreaterThan(0);
      expect(m.distinct, `feature-map canvas ${i} (${m.width}×${m.height}) is one flat colour`).toBeGreaterThan(1);
    }
    const info = (await app.testId('backend-info').innerText()).toLowerCase();
    expect(info).toContain(backend);
    expect(info).toMatch(/cross-origin isolated\s*yes/);
    await app.screenshotOf('feature-maps', `inside-network-${backend}`);
    await app.screenshotOf('backend-info', `backend-info-${backend}`);
  }, 60_000);

  it('refuses a PNG and a truncated safetensors as a model and keeps the current one', async () => {
    pretrainedBytes = (await app.downloadModel()).bytes;
    expect(pretrainedBytes.length).toBeGreaterThan(1000);
    const bad = [pngFile(`${probe.name}`, probe.png), modelFile('truncated.safetensors', truncated(pretrainedBytes))];
    for (const file of bad) {
      await app.uploadModel(file);
      const status = await app.status();
      expect(status.kind, `status after uploading ${file.name} as a model: ${status.text}`).toBe('error');
      expect(status.text).toContain(file.name);
      const after = await app.prediction();
      expect(after.probs, `probabilities after refusing ${file.name}`).toEqual(pretrainedOnProbe.probs);
      // The model still works on a new input, and still gives the same answer for the probe.
      expect((await app.uploadImage(pngFile(probe.name, probe.png))).probs).toEqual(pretrainedOnProbe.probs);
    }
  }, 120_000);

  it('trains 1 epoch on 2,000 images to ≥ 85 % test accuracy, then predicts with the trained model', async () => {
    for (const id of ['train-samples', 'train-epochs', 'train-start', 'train-status']) {
      expect(await app.testId(id).count(), `elements with data-testid="${id}"`).toBe(1);
    }
    await app.testId('train-samples').fill('2000');
    await app.testId('train-epochs').fill('1');
    const status = app.testId('train-status');
    const t0 = performance.now();
    await app.testId('train-start').click();
    await app.page.waitForFunction(
      () => ['done', 'error'].includes(document.querySelector<HTMLElement>('[data-testid="train-status"]')?.dataset.state ?? ''),
      undefined,
      { timeout: TRAIN_TIMEOUT_MS[backend], polling: 500 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const state = await status.getAttribute('data-state');
    expect(state, `training ended in state ${state}: ${await status.innerText()}`).toBe('done');
    const facts = await status.evaluate((e: HTMLElement) => ({ ...e.dataset }));
    const accuracy = Number(facts.testAccuracy);
    timings.push(
      `${backend}: training 1 epoch × 2,000 images ${seconds.toFixed(1)} s (page: ${facts.trainSeconds} s training, ${facts.mode} on ${facts.backend}, ` +
        `longest main-thread block ${facts.maxBlockMs} ms training, ${facts.maxBlockLoadMs} ms loading MNIST), test accuracy ${(accuracy * 100).toFixed(2)} % on ${facts.testCount} images`,
    );
    console.log(`[apps/web] ${timings[timings.length - 1]}`);
    expect(facts.backend, 'the backend the training ran on').toBe(backend);
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(accuracy).toBeLessThanOrEqual(1);
    // The confusion matrix holds the same test run: its cells add up to the test count, its diagonal to the accuracy.
    const cells = await app.testId('train-confusion').evaluate((t: HTMLTableElement) =>
      [...t.tBodies[0].rows].map((r) => [...r.cells].filter((c) => c.tagName === 'TD').map((c) => Number(c.textContent))),
    );
    expect(cells.map((r) => r.length)).toEqual(Array(10).fill(10));
    const total = cells.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(Number(facts.testCount));
    expect(cells.reduce((a, r, i) => a + r[i], 0) / total).toBeCloseTo(accuracy, 4);
    for (const chart of ['train-chart-loss', 'train-chart-accuracy']) expect(await app.testId(chart).locator('canvas').count(), chart).toBeGreaterThan(0);
    // Every backend trains the same seeded run: their test accuracies agree.
    for (const [other, acc] of trainedAccuracy) expect(Math.abs(acc - accuracy), `test accuracy on ${backend} vs ${other}`).toBeLessThanOrEqual(0.01);
    trainedAccuracy.set(backend, accuracy);
    await app.waitReady(60_000);
    await app.screenshotOf('train-status', `training-done-${backend}`);
    // The page switched to the trained model: the probe's probabilities change, and the class stays right.
    trainedOnProbe = await app.uploadImage(pngFile(probe.name, probe.png));
    expect(trainedOnProbe.predicted).toBe(probe.label);
    expect(maxAbsDiff(trainedOnProbe.probs, pretrainedOnProbe.probs), 'trained vs pretrained probabilities').toBeGreaterThan(1e-4);
  }, TRAIN_TIMEOUT_MS[backend] + 60_000);

  it('gives identical probabilities after download → reload → upload of the model file', async () => {
    const current = await app.uploadImage(pngFile(probe.name, probe.png));
    const downloaded = await app.downloadModel();
    expect(downloaded.name).toMatch(/\.safetensors$/);
    await app.page.reload();
    await app.waitReady(120_000);
    await app.selectBackend(backend);
    // The last model set with persist (trained in the page, or the pretrained one if nothing was) came back from
    // IndexedDB: same probabilities before anything is uploaded.
    const restored = await app.uploadImage(pngFile(probe.name, probe.png));
    expect(maxAbsDiff(restored.probs, current.probs), `restored from IndexedDB: ${restored.probs} vs before: ${current.probs}`).toBeLessThanOrEqual(1e-6);
    // Each model file in turn (the pretrained one first, so the upload of the current one must change something).
    await app.uploadModel(modelFile('pretrained.safetensors', pretrainedBytes));
    expect((await app.status()).kind).toBe('info');
    const pre = await app.prediction();
    expect(maxAbsDiff(pre.probs, pretrainedOnProbe.probs), `pretrained after reload: ${pre.probs} vs ${pretrainedOnProbe.probs}`).toBeLessThanOrEqual(1e-6);
    // The CLI's folder form: weights without an embedded architecture + config.json (+ cnn.json) selected together.
    const cli = await cliFolderOf(pretrainedBytes);
    await app.uploadModel(cli);
    expect((await app.status()).kind).toBe('info');
    const fromCli = await app.prediction();
    expect(maxAbsDiff(fromCli.probs, pretrainedOnProbe.probs), `CLI pair: ${fromCli.probs} vs ${pretrainedOnProbe.probs}`).toBeLessThanOrEqual(1e-6);
    await app.uploadModel(modelFile(downloaded.name, downloaded.bytes));
    expect((await app.status()).kind).toBe('info');
    const again = await app.prediction();
    expect(again.predicted).toBe(current.predicted);
    expect(maxAbsDiff(again.probs, current.probs), `after reload: ${again.probs} vs before: ${current.probs}`).toBeLessThanOrEqual(1e-6);
    if (trainedOnProbe) expect(maxAbsDiff(again.probs, pre.probs), 'the trained model differs from the pretrained one').toBeGreaterThan(1e-4);
  }, 240_000);
});
