/**
 * A static host that does not send COOP/COEP (e.g. a plain file server): the page is not cross-origin isolated, so
 * SharedArrayBuffer and with it the workers backend are unavailable. The page must say why, and still work on cpu.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { AppPage, browserAvailable, connectBrowser, pngFile } from './harness/app-page.js';
import { makeDigitPhotos } from './fixtures/digit-photos.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves `root` over HTTP on a free port, with content types and nothing else: no isolation headers. */
async function serveWithoutIsolation(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
        await stat(file);
      } catch {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    })();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe.skipIf(!browserAvailable())('served without COOP/COEP headers', () => {
  let server: Server;
  let url: string;
  let app: AppPage;

  beforeAll(async () => {
    ({ server, url } = await serveWithoutIsolation(inject('distDir')));
  });
  afterEach(() => app?.assertNoErrors());
  afterAll(async () => {
    await app?.close();
    await new Promise((ok) => server?.close(ok));
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
