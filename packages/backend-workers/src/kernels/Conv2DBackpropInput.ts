/**
 * ∂L/∂x of conv2d. Parts: image ranges, else input-channel ranges (one group only). SIMD path: a Winograd conv of dy
 * with the flipped, channel-swapped kernel for eligible 3×3 convs, else GEMM + col2im in WebAssembly; plain path:
 * @cnn/backend-cpu's kernel on the part's slice.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { conv2dBackwardInput as cpuBackwardInput, isDepthwise } from '../cpu-kernels.js';
import { convBackwardInputSimd } from '../wasm/conv.js';
import { convCost, planConv, type ConvPart } from './Conv2D.js';
import type { ParallelKernel } from './types.js';

export interface Conv2dBackwardInputArgs {
  dy: Float32Array;
  w: Float32Array;
  geo: Conv2dGeometry;
  out: Float32Array;
}

/** `o0, o1` of a part are input-channel bounds here. */
export const Conv2DBackpropInput: ParallelKernel<Conv2dBackwardInputArgs, ConvPart> = {
  cost: (a) => convCost(a.geo),
  plan: (a, threads) => planConv(a.geo, a.geo.inChannels, threads),
  run(a, p, ctx) {
    const { geo } = a;
    const { inChannels: C, inH, inW, outChannels: O, outH, outW, kH, kW } = geo;
    const plane = inH * inW;
    if (ctx.simd && !isDepthwise(geo)) {
      convBackwardInputSimd(ctx.simd, a.dy, a.w, geo, p, a.out);
      return;
    }
    const dys = a.dy.subarray(p.n0 * O * outH * outW, p.n1 * O * outH * outW);
    if (p.o0 === 0 && p.o1 === C) {
      a.out.set(cpuBackwardInput(dys, a.w, { ...geo, batch: p.n1 - p.n0 }), p.n0 * C * plane);
      return;
    }
    const Cp = p.o1 - p.o0;
    const K = kH * kW;
    const ws = new Float32Array(O * Cp * K);
    for (let o = 0; o < O; o++) ws.set(a.w.subarray((o * C + p.o0) * K, (o * C + p.o1) * K), o * Cp * K);
    const r = cpuBackwardInput(dys, ws, { ...geo, batch: p.n1 - p.n0, inChannels: Cp, inChannelsPerGroup: Cp });
    for (let n = p.n0; n < p.n1; n++) a.out.set(r.subarray((n - p.n0) * Cp * plane, (n - p.n0 + 1) * Cp * plane), (n * C + p.o0) * plane);
  },
};
