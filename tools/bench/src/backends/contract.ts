/**
 * Any backend of the cnn contract, driven through its kernels directly (no tensor API): write the operands, call
 * conv2d / conv2dBackwardInput / conv2dBackwardFilter with a geometry from core's resolveConv2d, and read the results
 * back so asynchronous backends are timed to completion.
 */
import { resolveConv2d, setBackend, type Backend, type DataId, type TensorInfo } from '@cnn/core';
import type { BenchAdapter, ConvSpec, Step } from '../types.js';

function randomArray(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

async function readAll(backend: Backend, ids: DataId[]): Promise<void> {
  for (const id of ids) {
    if (backend.readSync) backend.readSync(id);
    else await backend.read(id);
  }
}

/** `load` imports the backend package (which registers it); `name` is its registry name. */
export function contractAdapter(name: string, load: () => Promise<unknown>, opts: { runs?: number; warmup?: number } = {}): BenchAdapter {
  return {
    name,
    cnnBackendName: name,
    load,
    defaultRuns: opts.runs ?? 7,
    defaultWarmup: opts.warmup ?? 2,
    async convStep(c: ConvSpec, backward: boolean): Promise<Step> {
      await load();
      const be = await setBackend(name);
      const { geo } = resolveConv2d('bench', c.input, c.weight, null, {
        stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
      });
      const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
      const info = (shape: number[], seed: number): TensorInfo => ({
        dataId: be.write(randomArray(size(shape), seed), shape, 'float32'), shape, dtype: 'float32',
      });
      const x = info(c.input, 1);
      const w = info(c.weight, 2);
      const dy = info([geo.batch, geo.outChannels, geo.outH, geo.outW], 3);
      return {
        async run() {
          const outs = [be.conv2d(x, w, null, geo)];
          if (backward) outs.push(be.conv2dBackwardInput(dy, w, geo), be.conv2dBackwardFilter(x, dy, geo));
          await readAll(be, outs);
          for (const id of outs) be.disposeData(id);
        },
        dispose() {
          for (const t of [x, w, dy]) be.disposeData(t.dataId);
        },
      };
    },
  };
}
