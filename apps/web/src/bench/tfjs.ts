/**
 * TensorFlow.js 4.22 on this page: tfjs-core with its gradients, the WebGL backend and the WebAssembly backend.
 * Imported on demand (engines.ts) so a run of our backends alone never downloads tfjs.
 *
 * tfjs-backend-wasm fetches its .wasm binaries at start-up; Vite copies them from the npm package into the build
 * (`?url` imports) and `setWasmPaths` points tfjs at those copies, so nothing is fetched from another host. Which
 * binary runs (plain, SIMD, threaded SIMD) is tfjs's choice: threads need this page's cross-origin isolation.
 *
 * The wasm backend's JavaScript is loaded as tfjs's own prebuilt bundle (dist/tf-backend-wasm.es2017.min.js, copied by
 * a `?url` import), not bundled by Vite: its threaded build starts pthread workers from the *source text* of its
 * Emscripten factory (`factory.toString()`), and Vite's minifier rewrites the factory's `typeof _scriptDir !==
 * 'undefined'` guard into `_scriptDir !== void 0`, which throws "… is not defined" in every worker, so tfjs never
 * becomes ready. tfjs builds its own bundle with that rewrite off (tfjs PR #4562). The UMD bundle reads tfjs-core
 * from `globalThis.tf` and registers the backend there, so it shares this page's tfjs-core (engine, registries).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's entry point registers no gradients; the training step needs them (the @tensorflow/tfjs bundle does this).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgl';
import wasmBackendScriptUrl from '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.es2017.min.js?url';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  W1, missingTrainingKernels, tfjsConvStep, tfjsMnistStep, type BrowserWorkload, type Step,
} from '../../../../tools/bench/src/browser.js';

export type TfjsBackend = 'webgl' | 'wasm';
type TfjsWasm = typeof import('@tensorflow/tfjs-backend-wasm');

// Production mode: no debug checks on every op (the Node bench sets the same).
tf.env().set('PROD', true);

let wasmBackend: Promise<TfjsWasm> | null = null;

/** Loads tfjs's prebuilt wasm backend bundle once (see the file comment) and points it at the copied binaries. */
function loadWasmBackend(): Promise<TfjsWasm> {
  wasmBackend ??= new Promise<TfjsWasm>((resolve, reject) => {
    const g = globalThis as typeof globalThis & { tf?: Record<string, unknown> & { wasm?: TfjsWasm } };
    // A plain copy: the bundle adds `tf.wasm` to this object, and a module namespace object is not extensible.
    g.tf = { ...tf };
    const script = document.createElement('script');
    script.src = wasmBackendScriptUrl;
    script.onload = () => {
      const wasm = g.tf?.wasm;
      if (!wasm?.setWasmPaths) return reject(new Error('tfjs-wasm: tf-backend-wasm.es2017.min.js loaded but did not define tf.wasm'));
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlainUrl,
        'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
      });
      resolve(wasm);
    };
    script.onerror = () => reject(new Error(`tfjs-wasm: could not load ${wasmBackendScriptUrl}`));
    document.head.append(script);
  });
  return wasmBackend;
}

async function activate(backend: TfjsBackend): Promise<void> {
  if (backend === 'wasm') await loadWasmBackend();
  if (tf.getBackend() === backend) return;
  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
  } catch (err) {
    throw new Error(`tfjs-${backend}: could not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!ok) throw new Error(`tfjs-${backend}: tf.setBackend('${backend}') failed${backend === 'webgl' ? ' (no WebGL context on this page?)' : ''}`);
  await tf.ready();
}

/** Starts a tfjs backend and describes what runs (WebGL version and float textures; wasm SIMD and threads). */
export async function startTfjs(backend: TfjsBackend): Promise<string> {
  await activate(backend);
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const wasm = await loadWasmBackend();
    return `tfjs ${tf.version_core}, simd ${simd}, multithread ${threads}, threads ${threads ? wasm.getThreadsCount() : 1}`;
  }
  return `tfjs ${tf.version_core}, WebGL ${tf.env().getNumber('WEBGL_VERSION')}, float32 render ${tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')}`;
}

/** Why `backend` cannot run `workload`, or null. */
export function tfjsUnsupported(backend: TfjsBackend, workload: BrowserWorkload): string | null {
  if (workload !== 'mnist-step') return null;
  const missing = missingTrainingKernels(tf, backend);
  return missing.length ? `no backward kernels (tfjs-backend-${backend} 4.22 lacks ${missing.join(', ')})` : null;
}

export async function tfjsStep(backend: TfjsBackend, workload: BrowserWorkload): Promise<Step> {
  await activate(backend);
  return workload === 'w1-fwd' ? tfjsConvStep(tf, `tfjs-${backend}`, W1, false) : tfjsMnistStep(tf, `tfjs-${backend}`);
}
