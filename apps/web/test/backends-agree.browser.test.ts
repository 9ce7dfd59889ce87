/**
 * The three backends compute the same network: one page switches cpu → workers → gpu (→ cpu) with the same inputs,
 * and every switch gives the same class with probabilities equal within 1e-4.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppPage, browserAvailable, connectBrowser, maxAbsDiff, pngFile, type ProbabilitySnapshot } from './harness/app-page.js';
import { BACKENDS, type BackendName } from './harness/chromium-flags.js';
import { makeDigitPhotos, type DigitPhoto } from './fixtures/digit-photos.js';

describe.skipIf(!browserAvailable())('switching backends', () => {
  let app: AppPage;
  let inputs: DigitPhoto[];

  beforeAll(async () => {
    // Three photos of different digits, one of them small and off-centre.
    const photos = makeDigitPhotos({ perClass: 1, seed: 7 });
    inputs = [photos[2], photos[5], photos[9]];
    app = await AppPage.open(await connectBrowser());
  }, 120_000);

  afterEach(() => app?.assertNoErrors());
  afterAll(async () => app?.close());

  it('gives the same class and probabilities within 1e-4 on cpu, workers and gpu', async () => {
    const results = new Map<BackendName, ProbabilitySnapshot[]>();
    for (const backend of [...BACKENDS, 'cpu' as const]) {
      await app.selectBackend(backend);
      // The switch re-ran the prediction of the last input; then each input in turn.
      const got: ProbabilitySnapshot[] = [];
      for (const photo of inputs) got.push(await app.uploadImage(pngFile(photo.name, photo.png)));
      const first = results.get(backend);
      if (first) expect(got, `${backend} again gives exactly the same`).toEqual(first);
      else results.set(backend, got);
    }
    const cpu = results.get('cpu') ?? [];
    for (const backend of BACKENDS) {
      const other = results.get(backend) ?? [];
      inputs.forEach((photo, i) => {
        expect(other[i].predicted, `${photo.name} on ${backend}`).toBe(cpu[i].predicted);
        const diff = maxAbsDiff(other[i].probs, cpu[i].probs);
        expect(diff, `${photo.name}: ${backend} vs cpu, max |Δp| = ${diff}`).toBeLessThanOrEqual(1e-4);
      });
    }
    // And they agree on something meaningful: the model reads at least two of the three right.
    expect(cpu.filter((r, i) => r.predicted === inputs[i].label).length, `cpu read ${cpu.map((r) => r.predicted)} for ${inputs.map((p) => p.label)}`).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
