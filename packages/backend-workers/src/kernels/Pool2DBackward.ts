/**
 * ∂L/∂x of pool2d. Parts: ranges of (image, channel) planes, which never share input cells. 2×2 stride-2 max pooling
 * (the usual one) runs the WebAssembly SIMD kernel where the worker has it; the rest backend-cpu's loop.
 */
import type { Pool2dGeometry } from '@cnn/core';
import { pool2dBackward as cpuPool2dBackward } from '../cpu-kernels.js';
import { isMaxPool2x2, maxPoolBackward2x2Simd } from '../wasm/pool.js';
import { planPlanes, type PlanePart } from './Pool2D.js';
import type { ParallelKernel } from './types.js';

export interface Pool2dBackwardArgs {
  dy: Float32Array;
  x: Float32Array;
  geo: Pool2dGeometry;
  out: Float32Array;
}

export const Pool2DBackward: ParallelKernel<Pool2dBackwardArgs, PlanePart> = {
  cost: (a) => 2 * a.geo.batch * a.geo.channels * a.geo.outH * a.geo.outW * a.geo.windowH * a.geo.windowW,
  plan: (a, threads) => planPlanes(a.geo, threads),
  run(a, p, ctx) {
    const { geo } = a;
    if (ctx.simd && isMaxPool2x2(geo)) {
      maxPoolBackward2x2Simd(ctx.simd, a.dy, a.x, geo, p.s0, p.s1, a.out);
      return;
    }
    const inPlane = geo.inH * geo.inW;
    const outPlane = geo.outH * geo.outW;
    const r = cpuPool2dBackward(
      a.dy.subarray(p.s0 * outPlane, p.s1 * outPlane), a.x.subarray(p.s0 * inPlane, p.s1 * inPlane),
      { ...geo, batch: 1, channels: p.s1 - p.s0 },
    );
    a.out.set(r, p.s0 * inPlane);
  },
};
