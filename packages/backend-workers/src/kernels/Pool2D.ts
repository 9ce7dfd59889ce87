/**
 * Max / average pooling. Parts: ranges of (image, channel) planes, so one image's channels spread over the pool too.
 * Max pooling runs the WebAssembly SIMD kernel (wasm/pool.ts) where the worker has it; average pooling and the
 * plain path run backend-cpu's loop on the part's planes.
 */
import type { Pool2dGeometry } from '@cnn/core';
import { pool2d as cpuPool2d } from '../cpu-kernels.js';
import { maxPoolSimd } from '../wasm/pool.js';
import { splitRange, type ParallelKernel } from './types.js';

export interface Pool2dArgs {
  x: Float32Array;
  geo: Pool2dGeometry;
  out: Float32Array;
}

/** Planes [s0, s1) of the batch·channels planes. */
export interface PlanePart {
  s0: number;
  s1: number;
}

export function planPlanes(geo: Pool2dGeometry, threads: number): PlanePart[] {
  return splitRange(geo.batch * geo.channels, threads).map(([s0, s1]) => ({ s0, s1 }));
}

export const Pool2D: ParallelKernel<Pool2dArgs, PlanePart> = {
  cost: (a) => a.geo.batch * a.geo.channels * a.geo.outH * a.geo.outW * a.geo.windowH * a.geo.windowW,
  plan: (a, threads) => planPlanes(a.geo, threads),
  run(a, p, ctx) {
    const { geo } = a;
    if (ctx.simd && geo.mode === 'max') {
      maxPoolSimd(ctx.simd, a.x, geo, p.s0, p.s1, a.out);
      return;
    }
    const inPlane = geo.inH * geo.inW;
    const outPlane = geo.outH * geo.outW;
    const r = cpuPool2d(a.x.subarray(p.s0 * inPlane, p.s1 * inPlane), { ...geo, batch: 1, channels: p.s1 - p.s0 });
    a.out.set(r, p.s0 * outPlane);
  },
};
