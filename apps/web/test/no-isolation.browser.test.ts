/**
 * A static host that does not send COOP/COEP (e.g. a plain file server): the page is not cross-origin isolated, so
 * SharedArrayBuffer and with it the workers backend are unavailable. The page must say why, and still work on cpu.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { serveStatic, type StaticServer } from '../../../tools/bench/src/browser-mode/static-server.js';
import { AppPage, browserAvailable, connectBrowser, pngFile } from './harness/app-page.js';
import { makeDigitPhotos } from './fixtures/digit-photos.js';

describe.skipIf(!browserAvailable())('served without COOP/COEP headers', () => {
  let server: StaticServer;
  let url: string;
  let app: AppPage;

  beforeAll(async () => {
    server = await serveStatic(inject('distDir'), { isolation: false });
    url = `${server.origin}/`;
  });
  afterEach(() => app?.assertNoErrors());
  afterAll(async () => {
    await app?.close();
    await server?.close();
  });

  it('says why workers is unavailable and still predicts on cpu', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(res.headers.get('cross-origin-embedder-policy')).toBeNull();

    app = await AppPage.open(await connectBrowser(), url);
    expect(await app.page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    expect(await app.backend()).toBe('cpu');
    const workers = app.testId('backend-select').locator('option[value="workers"]');
    expect(await workers.isDisabled()).toBe(true);
    // The reason is on the page (visible text, not a console message): what is missing and which headers fix it.
    expect(await app.page.locator('body').innerText()).toMatch(/SharedArrayBuffer[\s\S]*Cross-Origin-Opener-Policy[\s\S]*Cross-Origin-Embedder-Policy/);
    expect(await app.testId('backend-info').innerText()).toMatch(/cross-origin isolated\s*no/i);

    // Ten photos, one per digit: the cpu backend reads them as it does on an isolated page (≥ 8 right: the
    // first 3 and 5 of the MNIST test split are hard ones, t10k[8] is the famous ambiguous 5).
    const photos = makeDigitPhotos({ perClass: 1 });
    const misses: string[] = [];
    for (const photo of photos) {
      const got = await app.uploadImage(pngFile(photo.name, photo.png));
      if (got.predicted !== photo.label) misses.push(`${photo.name} → ${got.predicted}`);
    }
    await app.screenshot('no-isolation-cpu');
    expect(misses.length, `missed ${misses.join(', ')}`).toBeLessThanOrEqual(2);
  }, 120_000);
});
