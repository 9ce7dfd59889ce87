/**
 * Reference point: TensorFlow.js's WebAssembly backend (@tensorflow/tfjs-backend-wasm 4.22, XNNPACK; its .wasm
 * binaries ship inside the npm package and are loaded from there). The step itself: ./tfjs-conv.ts.
 * Which binary runs (SIMD, threaded SIMD) is tfjs's own choice for the engine; the adapter prints it once.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchAdapter, ConvSpec, Step } from '../types.js';
import { tfjsConvStep } from './tfjs-conv.js';

let ready: Promise<typeof import('@tensorflow/tfjs-core')> | null = null;

async function init(): Promise<typeof import('@tensorflow/tfjs-core')> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(join(dist, '/') + '/');
  tf.env().set('PROD', true);
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  console.error(`tfjs-wasm: simd ${simd}, multithread ${threads}, threads ${wasm.getThreadsCount?.() ?? '?'}`);
  return tf;
}

export const tfjsWasm: BenchAdapter = {
  name: 'tfjs-wasm',
  defaultRuns: 7,
  defaultWarmup: 2,
  async convStep(c: ConvSpec, backward: boolean): Promise<Step> {
    ready ??= init();
    const tf = await ready;
    return tfjsConvStep(tf, 'tfjs-wasm', c, backward);
  },
};
