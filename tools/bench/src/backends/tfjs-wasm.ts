/**
 * Reference point: TensorFlow.js's WebAssembly backend (@tensorflow/tfjs-backend-wasm 4.22, XNNPACK; its .wasm
 * binaries ship inside the npm package and are loaded from there). NHWC, same kernels as the tfjs-cpu adapter.
 * Which binary runs (SIMD, threaded SIMD) is tfjs's own choice for the engine; the adapter prints it once.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { BenchAdapter, ConvSpec, Step } from '../types.js';

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
    if (c.groups !== 1 || c.dilation !== 1) throw new Error('tfjs-wasm adapter: only groups = 1, dilation = 1 convs');
    const [n, ch, h, w] = c.input;
    const [o, , kH, kW] = c.weight;
    const x: Tensor4D = tf.randomUniform([n, h, w, ch], -1, 1);
    const f: Tensor4D = tf.randomUniform([kH, kW, ch, o], -1, 1);
    const pad = c.padding === (kH - 1) / 2 && c.stride === 1 ? 'same' : c.padding === 0 ? 'valid' : c.padding;
    const attrs = { strides: [c.stride, c.stride], pad, dataFormat: 'NHWC' };
    return {
      async run() {
        const y = tf.conv2d(x, f, c.stride, pad);
        const outs = [y];
        if (backward) {
          outs.push(
            tf.engine().runKernel('Conv2DBackpropInput', { dy: y, filter: f }, { ...attrs, inputShape: x.shape }) as Tensor4D,
            tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: y }, { ...attrs, filterShape: f.shape }) as Tensor4D,
          );
        }
        for (const t of outs) await t.data();
        for (const t of outs) t.dispose();
      },
      dispose() {
        x.dispose();
        f.dispose();
      },
    };
  },
};
