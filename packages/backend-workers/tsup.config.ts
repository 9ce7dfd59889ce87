import { defineConfig, type Options } from 'tsup';
import { libraryConfig } from '../../tsup.shared.js';

/**
 * Three builds into dist/ (the `build` script empties dist/ first, so none cleans and they cannot race):
 * - Node: dist/index.{js,cjs,d.ts} from src/index.ts (worker_threads, the worker started from its bundled source);
 * - the browser entry: dist/index.browser.js, ESM. platform-browser.ts starts workers from
 *   `new URL('./worker/browser-worker.js', import.meta.url)`, which from dist/index.browser.js names
 *   dist/worker/browser-worker.js;
 * - that worker module, self-contained (kernels, wasm bytes and backend-cpu's kernels inlined, from their sources like
 *   scripts/generate.mjs does), so a bundler that does not follow the URL can be helped by copying this one file.
 */
const node = libraryConfig(['src/index.ts'], { clean: false });

const browserEsm: Options = { format: ['esm'], platform: 'browser', target: 'es2022', sourcemap: true, clean: false };

const browserEntry = defineConfig({ ...browserEsm, entry: { 'index.browser': 'src/index.browser.ts' } });

const browserWorker = defineConfig({
  ...browserEsm,
  entry: { 'worker/browser-worker': 'src/worker/browser-worker.ts' },
  noExternal: [/.*/],
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
});

export default [node, browserEntry, browserWorker];
