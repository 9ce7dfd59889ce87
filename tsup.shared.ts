import { defineConfig, type Options } from 'tsup';

/** How every package builds: ESM + CJS + .d.ts, ES2022, with source maps. `shims` gives CJS an import.meta.url. */
export function libraryConfig(entry: Options['entry'] = ['src/index.ts'], extra: Options = {}) {
  return defineConfig({ entry, format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: true, target: 'es2022', shims: true, ...extra });
}
