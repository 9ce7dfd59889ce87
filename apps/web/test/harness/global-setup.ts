/**
 * Runs once before the browser tests: builds the app (`vite build`), serves `dist` with `vite preview` (which sends
 * the COOP/COEP headers from vite.config.ts) on a free port, and starts one headless Chromium that every test file
 * connects to. Tears all of it down afterwards.
 *
 * Without Chromium (a fresh dev machine), the browser tests are skipped with a message, so `pnpm test` still passes;
 * under CI (`CI` set) a missing Chromium is an error instead, so a broken image cannot pass silently.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium-flags.js';

/** What the test files receive through `inject(...)`. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The browser to `chromium.connect(...)` to, or null when the browser tests are skipped. */
    browserWsEndpoint: string | null;
    /** Why the browser tests are skipped (null when they run). */
    browserSkipReason: string | null;
    /** The built app, served with the cross-origin isolation headers, e.g. `http://127.0.0.1:41234/`. */
    appUrl: string;
    /** The built app's folder (for the test that serves it again without the isolation headers). */
    distDir: string;
  }
}

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A port that was free a moment ago (the OS picks it); `strictPort` below turns a lost race into a clear error. */
async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const distDir = resolve(APP_DIR, 'dist');
  project.provide('distDir', distDir);
  project.provide('appUrl', '');
  if (!existsSync(CHROMIUM_PATH)) {
    const why = `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` (or set CHROMIUM_PATH)`;
    if (process.env.CI) throw new Error(`apps/web browser tests: ${why}. CI must run them.`);
    console.warn(`\n[apps/web] SKIPPING the browser tests: ${why}.\n`);
    project.provide('browserWsEndpoint', null);
    project.provide('browserSkipReason', why);
    return async () => undefined;
  }

  // Vite is imported here, not at the top: a skipped run never loads it.
  const vite = await import('vite');
  let t = performance.now();
  // The library must bundle cleanly for browsers: any build warning (e.g. "Module 'worker_threads' has been externalized
  // for browser compatibility") fails the suite, listed in full.
  const logger = vite.createLogger('warn');
  const warnings: string[] = [];
  const warn = logger.warn.bind(logger);
  logger.warn = (msg, opts) => {
    warnings.push(msg);
    warn(msg, opts);
  };
  logger.warnOnce = logger.warn;
  await vite.build({ root: APP_DIR, configFile: resolve(APP_DIR, 'vite.config.ts'), customLogger: logger, mode: 'production' });
  if (warnings.length) throw new Error(`apps/web: vite build printed ${warnings.length} warning(s):\n${warnings.join('\n')}`);
  console.log(`[apps/web] vite build: ${seconds(t)}, no warnings`);

  const port = await freePort();
  const preview = await vite.preview({
    root: APP_DIR,
    configFile: resolve(APP_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  let browser: BrowserServer | undefined;
  try {
    const appUrl = `http://127.0.0.1:${port}/`;
    // The workers backend needs SharedArrayBuffer, which needs both headers: check them before any test relies on them.
    const res = await fetch(appUrl);
    const coop = res.headers.get('cross-origin-opener-policy');
    const coep = res.headers.get('cross-origin-embedder-policy');
    if (!res.ok || coop !== 'same-origin' || coep !== 'require-corp') {
      throw new Error(
        `vite preview at ${appUrl} answered ${res.status} with Cross-Origin-Opener-Policy=${coop} and Cross-Origin-Embedder-Policy=${coep}; ` +
          `expected 200, same-origin and require-corp (vite.config.ts preview.headers)`,
      );
    }
    t = performance.now();
    // Playwright gives every launch a fresh temporary profile (--user-data-dir) and deletes it on close.
    browser = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
    console.log(`[apps/web] Chromium started: ${seconds(t)}; app at ${appUrl}`);
    project.provide('appUrl', appUrl);
    project.provide('browserWsEndpoint', browser.wsEndpoint());
    project.provide('browserSkipReason', null);
  } catch (err) {
    await browser?.close();
    await preview.close();
    throw err;
  }

  const started = browser;
  return async () => {
    await started.close();
    await preview.close();
  };
}
