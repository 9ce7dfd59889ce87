/**
 * Drives the web app in a Playwright page through its `data-testid` hooks only (never its internals), and collects
 * every console error and uncaught page error so that each test can fail on them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import type { BackendName } from './chromium-flags.js';

export const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-results');

/** Whether this run has a browser, and why not (see global-setup.ts). */
export function browserAvailable(): boolean {
  return inject('browserWsEndpoint') !== null;
}

let shared: Promise<Browser> | undefined;
/** The one Chromium started by the global setup (each test file connects once). */
export function connectBrowser(): Promise<Browser> {
  const endpoint = inject('browserWsEndpoint');
  if (!endpoint) throw new Error(`connectBrowser: no browser in this run (${inject('browserSkipReason')})`);
  shared ??= chromium.connect(endpoint);
  return shared;
}

/** Counts the page's busy → idle transitions of `body[data-ready]`, so a test can wait for "the work my action
 * started has finished" rather than "the page is idle right now" (which may be before the work even began). */
const READY_WATCH = `(() => {
  const state = { idle: 0, changedAt: 0 };
  Object.defineProperty(window, '__cnnReadyWatch', { value: state });
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target !== document.body) continue;
      if (r.oldValue === 'false') state.idle++;
      state.changedAt = performance.now();
    }
  }).observe(document, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-ready'] });
})();`;

interface ReadyWatch {
  idle: number;
  changedAt: number;
}

export interface ProbabilitySnapshot {
  predicted: number;
  probs: number[];
}

export interface UploadFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export class AppPage {
  /** Console errors and page errors not yet claimed by `takeErrors`. */
  private errors: string[] = [];

  private constructor(readonly context: BrowserContext, readonly page: Page, readonly url: string) {
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.errors.push(`console.error: ${msg.text()} (${msg.location().url}:${msg.location().lineNumber})`);
    });
    page.on('pageerror', (err) => this.errors.push(`page error: ${err.stack ?? err.message}`));
    page.on('crash', () => this.errors.push('the page crashed'));
  }

  /** A fresh browser context (own storage: no IndexedDB model from an earlier test) with the app loaded and ready. */
  static async open(browser: Browser, url = inject('appUrl'), opts: { readyTimeout?: number } = {}): Promise<AppPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    await context.addInitScript(READY_WATCH);
    const app = new AppPage(context, await context.newPage(), url);
    // Clicks and fills on the page's controls are immediate; a missing control should fail fast, not after 30 s.
    app.page.setDefaultTimeout(15_000);
    await app.page.goto(url);
    await app.waitReady(opts.readyTimeout ?? 60_000);
    return app;
  }

  /** Errors seen since the last call, cleared. */
  takeErrors(): string[] {
    const e = this.errors;
    this.errors = [];
    return e;
  }

  /** Throws (failing the test) when the page logged an error or threw since the last check. */
  assertNoErrors(): void {
    const e = this.takeErrors();
    if (e.length) throw new Error(`the page logged ${e.length} error(s):\n${e.join('\n')}`);
  }

  testId(id: string) {
    return this.page.locator(`[data-testid="${id}"]`);
  }

  /** Waits until `body[data-ready]` is 'true'. */
  async waitReady(timeout = 60_000): Promise<void> {
    await this.page.waitForFunction(() => document.body?.dataset.ready === 'true', undefined, { timeout, polling: 50 });
  }

  private idleCount(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __cnnReadyWatch: ReadyWatch }).__cnnReadyWatch.idle);
  }

  /**
   * Runs `action`, then waits until the page went busy and came back idle at least once since, and has stayed idle
   * for `quietMs` (a model switch re-runs the prediction right after, as a second busy period).
   */
  async settle<T>(action: () => Promise<T>, timeout = 60_000, quietMs = 120): Promise<T> {
    const before = await this.idleCount();
    const result = await action();
    await this.page.waitForFunction(
      ([b, quiet]) => {
        const w = (window as unknown as { __cnnReadyWatch: ReadyWatch }).__cnnReadyWatch;
        return w.idle > b && document.body.dataset.ready === 'true' && performance.now() - w.changedAt >= quiet;
      },
      [before, quietMs] as const,
      { timeout, polling: 25 },
    );
    return result;
  }

  async backend(): Promise<string> {
    return this.testId('backend-select').inputValue();
  }

  /** Selects a backend and waits until the model is loaded on it. A no-op when it is already selected. */
  async selectBackend(name: BackendName, timeout = 120_000): Promise<void> {
    if ((await this.backend()) === name) return this.waitReady(timeout);
    await this.settle(() => this.testId('backend-select').selectOption(name), timeout);
    const now = await this.backend();
    if (now !== name) throw new Error(`selectBackend: asked for '${name}', the page shows '${now}'`);
  }

  /** The predicted class and the ten probabilities exactly as the page wrote them (`data-prob` strings → numbers). */
  async prediction(): Promise<ProbabilitySnapshot> {
    return this.page.evaluate(() => {
      const pred = document.querySelector<HTMLElement>('[data-testid="prediction"]');
      const bars = [...document.querySelectorAll<HTMLElement>('[data-testid="probabilities"] > [data-class]')];
      const probs: number[] = [];
      for (const b of bars) probs[Number(b.dataset.class)] = Number(b.dataset.prob);
      return { predicted: pred?.dataset.class === undefined ? -1 : Number(pred.dataset.class), probs };
    });
  }

  /** Clears the drawing canvas (and the prediction). */
  async clear(): Promise<void> {
    await this.testId('clear').click();
    await this.waitReady();
  }

  /**
   * Draws strokes with the mouse. Points are fractions of the canvas's box ([0,1]², origin top left); each stroke
   * is one press, moves through its points (with `steps` intermediate moves each), one release.
   */
  async draw(strokes: Array<Array<[number, number]>>, steps = 3): Promise<ProbabilitySnapshot> {
    const box = await this.testId('draw-canvas').boundingBox();
    if (!box) throw new Error('draw: the draw-canvas is not visible');
    const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
    await this.clear();
    for (const stroke of strokes) {
      await this.settle(async () => {
        await this.page.mouse.move(...at(stroke[0]));
        await this.page.mouse.down();
        for (const p of stroke.slice(1)) await this.page.mouse.move(...at(p), { steps });
        await this.page.mouse.up();
      });
    }
    return this.prediction();
  }

  /** Uploads an image through `image-upload` and waits for its prediction. */
  async uploadImage(file: UploadFile, timeout = 60_000): Promise<ProbabilitySnapshot> {
    await this.settle(() => this.testId('image-upload').setInputFiles(file), timeout);
    return this.prediction();
  }

  /** Uploads model file(s) through `model-upload` and waits until the page is idle again (loaded, or refused). */
  async uploadModel(files: UploadFile | UploadFile[], timeout = 120_000): Promise<void> {
    await this.settle(() => this.testId('model-upload').setInputFiles(files), timeout);
  }

  /** Clicks `model-download` and returns the downloaded file's name and bytes. */
  async downloadModel(): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([this.page.waitForEvent('download', { timeout: 30_000 }), this.testId('model-download').click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
  }

  /** Every canvas under `feature-maps`, as { width, height, distinct grey/colour values (capped) }. */
  async featureMapStats(): Promise<Array<{ width: number; height: number; distinct: number }>> {
    return this.page.evaluate(() => {
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="feature-maps"] canvas')];
      return canvases.map((c) => {
        // Copy through a 2D canvas so that 2D and WebGL canvases are read the same way.
        const copy = document.createElement('canvas');
        copy.width = c.width;
        copy.height = c.height;
        const ctx = copy.getContext('2d', { willReadFrequently: true });
        if (!ctx || c.width === 0 || c.height === 0) return { width: c.width, height: c.height, distinct: 0 };
        ctx.drawImage(c, 0, 0);
        const px = new Uint32Array(ctx.getImageData(0, 0, c.width, c.height).data.buffer);
        const seen = new Set<number>();
        for (let i = 0; i < px.length && seen.size < 64; i++) seen.add(px[i]);
        return { width: c.width, height: c.height, distinct: seen.size };
      });
    });
  }

  /** Saves a full-page screenshot as test-results/<name>.png. */
  async screenshot(name: string): Promise<string> {
    const path = resolve(RESULTS_DIR, `${name}.png`);
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(path, await this.page.screenshot({ fullPage: true }));
    return path;
  }

  /** Saves a screenshot of the page section (card) holding a `data-testid` element as test-results/<name>.png. */
  async screenshotOf(testId: string, name: string): Promise<string> {
    const path = resolve(RESULTS_DIR, `${name}.png`);
    await mkdir(RESULTS_DIR, { recursive: true });
    const card = this.testId(testId).locator('xpath=ancestor-or-self::section[1]');
    await writeFile(path, await card.screenshot());
    return path;
  }

  /** The status line's message and kind ('info' | 'error'). */
  async status(): Promise<{ text: string; kind: string }> {
    const s = this.testId('status');
    return { text: (await s.textContent()) ?? '', kind: (await s.getAttribute('data-kind')) ?? 'info' };
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/** The largest absolute difference between two probability vectors (Infinity when their lengths differ or a value
 * is NaN): tools/bench's, which the bench page's agreement check uses too. */
export { maxAbsDiff } from '../../../../tools/bench/src/data.js';

export function pngFile(name: string, bytes: Uint8Array): UploadFile {
  return { name, mimeType: 'image/png', buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

export function modelFile(name: string, bytes: Uint8Array): UploadFile {
  return { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
