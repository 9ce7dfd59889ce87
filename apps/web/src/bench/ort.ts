/**
 * ONNX Runtime Web 1.30 on this page: its WebAssembly execution provider (SIMD, 2 threads: as the Node anchor's
 * `--threads` default and our workers pool on a 2-core machine), running the ONNX file of the same architecture as a
 * model workload. Imported on demand (engines.ts) so a run without ort-web never downloads it.
 *
 * Everything comes from this build: vite.config.ts resolves onnxruntime-web with its `onnxruntime-web-use-extern-wasm`
 * condition (the ORT API without an embedded copy of the Emscripten loader), and the loader (.mjs) and the binary
 * (.wasm) are copied from the npm package into `assets/` by `?url` imports; `env.wasm.wasmPaths` points ORT at those
 * copies. ORT imports the loader with a dynamic import of that URL, and its pthread workers start from the same file.
 * Threads need this page's cross-origin isolation (SharedArrayBuffer).
 *
 * The ONNX files are not part of the build: `pnpm bench --browser` exports them with PyTorch (anchors/torch_bench.py,
 * as for the Node `onnxruntime` anchor) and serves their folder at `onnx/`. A file that is not there is a skipped row.
 * `session.run` is called on the page's thread (ORT's default, no proxy worker): the call returns when the logits
 * are computed, as our workers backend's step does when it awaits them.
 */
import * as ort from 'onnxruntime-web/wasm';
import ortLoaderUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { ONNX_FILES, randomArray, type BrowserWorkload, type Step } from '../../../../tools/bench/src/browser.js';
import { SkipRow } from './skip.js';

/** Intra-op threads (the wasm pthread pool plus the calling thread). */
export const ORT_THREADS = 2;

const absolute = (url: string) => new URL(url, location.href).href;

let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  ort.env.wasm.wasmPaths = { mjs: absolute(ortLoaderUrl), wasm: absolute(ortWasmUrl) };
  ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? ORT_THREADS : 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
}

/** Starts ORT's wasm backend with a one-node model, so start-up (compiling 14 MB of wasm, spawning threads) is not
 * in the first row's warm-up, and says what runs. */
export async function startOrt(): Promise<string> {
  if (!globalThis.crossOriginIsolated) {
    throw new Error('ort-web needs SharedArrayBuffer for its threads: serve the page with COOP same-origin and COEP require-corp headers');
  }
  configure();
  const file = await fetchModel('mobilenet-infer').catch(() => null);
  if (file) {
    // Any model initialises the runtime; the smaller of the two keeps start-up short.
    const s = await ort.InferenceSession.create(file, { executionProviders: ['wasm'] });
    await s.release();
  }
  return `onnxruntime-web ${ort.env.versions.web ?? '?'}, wasm EP, SIMD, threads ${ort.env.wasm.numThreads}, graph optimizations all`;
}

async function fetchModel(workload: BrowserWorkload): Promise<Uint8Array> {
  const name = ONNX_FILES[workload];
  if (!name) throw new Error(`ort-web: no ONNX file for ${workload}`);
  const url = `./onnx/${name}`;
  const res = await fetch(url);
  if (!res.ok) {
    throw new SkipRow(`no ONNX file at ${url} (HTTP ${res.status}); \`pnpm bench --browser\` exports it, and the ONNX export needs PyTorch: /usr/bin/python3 -c 'import torch'`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** A timed step: one `session.run` on a [1, 3, 224, 224] input (the same LCG operands as the Node anchor). */
export async function ortStep(workload: BrowserWorkload): Promise<Step> {
  configure();
  const bytes = await fetchModel(workload);
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: ORT_THREADS, interOpNumThreads: 1,
  });
  const input = new ort.Tensor('float32', randomArray(3 * 224 * 224, 1), [1, 3, 224, 224]);
  const feeds = { [session.inputNames[0]]: input };
  return {
    async run() {
      const out = await session.run(feeds);
      for (const t of Object.values(out)) t.dispose();
    },
    dispose: () => session.release(),
  };
}
