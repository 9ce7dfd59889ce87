/**
 * Any backend of the cnn contract, driven through its kernels directly (no tensor API): write the operands, call
 * conv2d / conv2dBackwardInput / conv2dBackwardFilter with a geometry from core's resolveConv2d, and read the results
 * back so asynchronous backends are timed to completion. Browser-safe (the browser bench page uses it too).
 */
import { resolveConv2d, setBackend, type Backend, type DataId, type TensorInfo } from '@cnn/core';
import { randomArray } from '../data.js';
import type { BenchAdapter, ConvSpec, Step } from '../types.js';

/** Seeds of the conv operands: tfjs-conv.ts uses the same ones (transposed to NHWC) so outputs compare. */
export const CONV_SEEDS = { input: 1, weight: 2, outputGrad: 3 } as const;

async function readAll(backend: Backend, ids: DataId[]): Promise<void> {
  for (const id of ids) await readOne(backend, id);
}

async function readOne(backend: Backend, id: DataId): Promise<Float32Array> {
  const v = backend.readSync ? backend.readSync(id) : await backend.read(id);
  return v instanceof Float32Array ? v : Float32Array.from(v);
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
        dataId: be.write(randomArray(size(shape), seed), 'float32'), shape, dtype: 'float32',
      });
      const x = info(c.input, CONV_SEEDS.input);
      const w = info(c.weight, CONV_SEEDS.weight);
      const dy = info([geo.batch, geo.outChannels, geo.outH, geo.outW], CONV_SEEDS.outputGrad);
      return {
        async run() {
          const outs = [be.conv2d(x, w, null, geo)];
          if (backward) outs.push(be.conv2dBackwardInput(dy, w, geo), be.conv2dBackwardFilter(x, dy, geo));
          await readAll(be, outs);
          for (const id of outs) be.disposeData(id);
        },
        async output() {
          const y = be.conv2d(x, w, null, geo);
          try {
            return await readOne(be, y);
          } finally {
            be.disposeData(y);
          }
        },
        dispose() {
          for (const t of [x, w, dy]) be.disposeData(t.dataId);
        },
      };
    },
  };
}
