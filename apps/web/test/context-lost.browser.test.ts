/**
 * A lost WebGL context on the gpu backend (issue 11, item 5) gives a clear error promptly — between training steps and
 * in the middle of one — never a hang or garbage, and the backend can be disposed and created again. The scenario
 * (test/fixtures/context-lost-page.ts) is bundled with esbuild and run in the app's page in Chromium, where
 * WEBGL_lose_context loses the context for real (SwiftShader WebGL2).
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppPage, browserAvailable, connectBrowser } from './harness/app-page.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}

/** esbuild comes with tsup (a root devDependency). */
function loadEsbuild(): Esbuild {
  const require = createRequire(resolve(repoRoot, 'package.json'));
  return createRequire(require.resolve('tsup'))('esbuild') as Esbuild;
}

interface Settled {
  ok: boolean;
  message: string;
  ms: number;
}

const LOST = /^gpu backend: the WebGL context was lost \(.+\); .*Dispose the backend \(await disposeBackend\('gpu'\)\) and set it again/;

describe.skipIf(!browserAvailable())('gpu: a lost WebGL context in Chromium', () => {
  let app: AppPage;
  let script: string;

  beforeAll(async () => {
    const result = await loadEsbuild().build({
      entryPoints: [resolve(here, 'fixtures/context-lost-page.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__contextLost',
      platform: 'browser',
      target: 'es2022',
      conditions: ['source'],
      logLevel: 'silent',
      absWorkingDir: repoRoot,
    });
    script = result.outputFiles[0].text;
    app = await AppPage.open(await connectBrowser());
  }, 120_000);
  afterAll(async () => app?.close());

  it('fails the next step and reads with a clear error within a second, between steps and mid-step', async () => {
    await app.page.addScriptTag({ content: script });
    // A hang would time out here, far sooner than the test's own timeout.
    const run = app.page.evaluate(() => (globalThis as unknown as { __contextLost: { run(): Promise<Record<string, unknown>> } }).__contextLost.run());
    const out = (await Promise.race([run, new Promise((_, reject) => setTimeout(() => reject(new Error('hung: no result in 30 s')), 30_000))])) as Record<string, unknown>;
    console.log(`[context-lost] ${JSON.stringify(out, null, 1)}`);
    expect(out.mode).toBe('webgl2');
    const losses = out.losses as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    for (const key of ['betweenStep', 'betweenRead', 'afterEvent', 'duringStep']) {
      const r = out[key] as Settled;
      expect(r.ok, `${key}: ${r.message}`).toBe(false);
      expect(r.message, key).toMatch(LOST);
      expect(r.ms, key).toBeLessThan(1_000);
    }
    expect((out.afterEvent as Settled).message).toMatch(/webglcontextlost event|isContextLost/);
    expect(out.betweenMs as number).toBeLessThan(1_000);
    expect(out.duringMs as number).toBeLessThan(1_000);
    // Disposing a lost backend works, and a recreated one trains from the same start to the same first loss.
    expect((out.dispose as Settled).ok, (out.dispose as Settled).message).toBe(true);
    expect((out.dispose2 as Settled).ok, (out.dispose2 as Settled).message).toBe(true);
    expect(out.recreatedLoss as number).toBeCloseTo(losses[0], 5);
  }, 120_000);
});
