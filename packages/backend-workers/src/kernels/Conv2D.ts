/**
 * conv2d forward. Parts: ranges of images when the batch covers every thread, else ranges of output channels (one
 * group only). SIMD path: Winograd F(2×2, 3×3) for eligible 3×3 convs, im2col + GEMM otherwise, both in WebAssembly;
 * plain path: @cnn/backend-cpu's kernel on the part's slice.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { conv2d as cpuConv2d, isDepthwise } from '../cpu-kernels.js';
import { convForwardSimd } from '../wasm/conv.js';
import { splitRange, type ParallelKernel } from './types.js';

export interface Conv2dArgs {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array | null;
  geo: Conv2dGeometry;
  out: Float32Array;
}

/** Images [n0, n1) × output channels [o0, o1). */
export interface ConvPart {
  n0: number;
  n1: number;
  o0: number;
  o1: number;
}

export function convCost(geo: Conv2dGeometry): number {
  return geo.batch * geo.outChannels * geo.outH * geo.outW * geo.inChannelsPerGroup * geo.kH * geo.kW;
}

/** Images when there are enough of them, else channel ranges of `channels` (only without groups). */
export function planConv(geo: Conv2dGeometry, channels: number, threads: number): ConvPart[] {
  const { batch } = geo;
  if (batch >= threads || geo.groups !== 1 || channels < 8 || threads === 1) {
    return splitRange(batch, threads).map(([n0, n1]) => ({ n0, n1, o0: 0, o1: channels }));
  }
  return splitRange(channels, threads, 4).map(([o0, o1]) => ({ n0: 0, n1: batch, o0, o1 }));
}

export const Conv2D: ParallelKernel<Conv2dArgs, ConvPart> = {
  cost: (a) => convCost(a.geo),
  plan: (a, threads) => planConv(a.geo, a.geo.outChannels, threads),
  run(a, p, ctx) {
    const { geo } = a;
    const { inChannels: C, inH, inW, outChannels: O, outH, outW } = geo;
    const P = outH * outW;
    if (ctx.simd && !isDepthwise(geo)) {
      convForwardSimd(ctx.simd, a.x, a.w, a.bias, geo, p, a.out);
      return;
    }
    const xs = a.x.subarray(p.n0 * C * inH * inW, p.n1 * C * inH * inW);
    if (p.o0 === 0 && p.o1 === O) {
      const r = cpuConv2d(xs, a.w, a.bias, { ...geo, batch: p.n1 - p.n0 });
      a.out.set(r, p.n0 * O * P);
      return;
    }
    const Kc = C * geo.kH * geo.kW;
    const Op = p.o1 - p.o0;
    const r = cpuConv2d(xs, a.w.subarray(p.o0 * Kc, p.o1 * Kc), a.bias ? a.bias.subarray(p.o0, p.o1) : null, {
      ...geo, batch: p.n1 - p.n0, outChannels: Op, outChannelsPerGroup: Op,
    });
    for (let n = p.n0; n < p.n1; n++) a.out.set(r.subarray((n - p.n0) * Op * P, (n - p.n0 + 1) * Op * P), (n * O + p.o0) * P);
  },
};
