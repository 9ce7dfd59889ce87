/**
 * conv2d forward. Parts: ranges of images when the batch covers every thread, else (SIMD, not Winograd) bands of
 * output rows or ranges of output channels (planConv). SIMD path: Winograd F(2×2, 3×3) for eligible 3×3 convs,
 * convGemm (im2col GEMM without an im2col matrix) otherwise, both in WebAssembly; plain path: @cnn/backend-cpu's
 * kernel on the part's slice.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { conv2d as cpuConv2d, isDepthwise } from '../cpu-kernels.js';
import { convForwardSimd, preferWinograd } from '../wasm/conv.js';
import { depthwiseForwardSimd } from '../wasm/depthwise.js';
import { applyConvEpilogue, type EpilogueActivation } from './conv-epilogue.js';
import { splitRange, type ParallelKernel, type RunContext } from './types.js';

export interface Conv2dArgs {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array | null;
  geo: Conv2dGeometry;
  out: Float32Array;
  /** fusedConv2d's epilogue (conv-epilogue.ts): residual added after the bias, then the activation; absent for conv2d. */
  residual?: Float32Array | null;
  act?: EpilogueActivation | null;
}

/** Images [n0, n1) × output channels [o0, o1), and output rows [h0, h1) for a band of rows (else every row). */
export interface ConvPart {
  n0: number;
  n1: number;
  o0: number;
  o1: number;
  h0?: number;
  h1?: number;
}

export function convCost(geo: Conv2dGeometry): number {
  return geo.batch * geo.outChannels * geo.outH * geo.outW * geo.inChannelsPerGroup * geo.kH * geo.kW;
}

/**
 * Images when there are enough of them. Else, with `rows` (the SIMD forward convGemm path), bands of output rows
 * when the output has more positions than channels: each band gathers only its own columns of im2col (Kc × its
 * positions) but packs all of W (channels × Kc), where channel ranges each gather every column and pack their share
 * of W, so the smaller of the two is the one to duplicate. Else channel ranges of `channels` (only without groups).
 */
export function planConv(geo: Conv2dGeometry, channels: number, threads: number, rows = false): ConvPart[] {
  const { batch, outH } = geo;
  if (batch >= threads || threads === 1) return splitRange(batch, threads).map(([n0, n1]) => ({ n0, n1, o0: 0, o1: channels }));
  if (rows && outH >= threads && (geo.groups !== 1 || outH * geo.outW >= channels)) {
    return splitRange(outH, threads).map(([h0, h1]) => ({ n0: 0, n1: batch, o0: 0, o1: channels, h0, h1 }));
  }
  if (geo.groups !== 1 || channels < 8) return splitRange(batch, threads).map(([n0, n1]) => ({ n0, n1, o0: 0, o1: channels }));
  return splitRange(channels, threads, 4).map(([o0, o1]) => ({ n0: 0, n1: batch, o0, o1 }));
}

/** Dense and grouped convs (depthwise ones go to runDepthwise). */
const DenseConv2D: ParallelKernel<Conv2dArgs, ConvPart> = {
  cost: (a) => convCost(a.geo),
  plan: (a, threads, simd) => planConv(a.geo, a.geo.outChannels, threads, simd && !preferWinograd(a.geo)),
  run(a, p, ctx) {
    const { geo } = a;
    const { inChannels: C, inH, inW, outChannels: O, outH, outW } = geo;
    const P = outH * outW;
    if (ctx.simd && !isDepthwise(geo)) {
      convForwardSimd(ctx.simd, a.x, a.w, a.bias, geo, p, a.out);
      return;
    }
    if (p.h0 !== undefined) throw new Error('conv2d: a band-of-rows part reached the JavaScript path (bands are planned only with SIMD)');
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

/** Depthwise: images when the batch covers every thread, else ranges of output channels that start and end on an
 * input channel (multiples of the channel multiplier), every image each. */
export function planDepthwise(geo: Conv2dGeometry, threads: number): ConvPart[] {
  const { batch, outChannels: O } = geo;
  if (batch >= threads || threads === 1) return splitRange(batch, threads).map(([n0, n1]) => ({ n0, n1, o0: 0, o1: O }));
  return splitRange(O, threads, geo.outChannelsPerGroup).map(([o0, o1]) => ({ n0: 0, n1: batch, o0, o1 }));
}

/** Depthwise part: the SIMD kernel, or backend-cpu's loop on the part's channels (a depthwise conv of its own).
 * Returns whether the epilogue is applied already (the SIMD kernel does residual / relu / clamp in wasm memory). */
function runDepthwise(a: Conv2dArgs, p: ConvPart, simd: RunContext['simd']): boolean {
  const { geo } = a;
  if (simd) return depthwiseForwardSimd(simd, a.x, a.w, a.bias, geo, p, a.out, a);
  const { inChannels: C, inH, inW, outChannels: O, outH, outW, kH, kW } = geo;
  const mult = geo.outChannelsPerGroup;
  const plane = inH * inW;
  const P = outH * outW;
  // backend-cpu runs its depthwise loop only for groups > 1 (one group is an ordinary conv, whose GEMM would multiply
  // padding by w: 0 · inf = NaN where the direct sum has none), so a one-channel part computes a neighbour too.
  let c0 = p.o0 / mult;
  let c1 = p.o1 / mult;
  if (c1 - c0 === 1) {
    if (c1 < C) c1++;
    else c0--;
  }
  const Cp = c1 - c0;
  const sub: Conv2dGeometry = { ...geo, batch: 1, inChannels: Cp, outChannels: Cp * mult, groups: Cp };
  const w = a.w.subarray(c0 * mult * kH * kW, c1 * mult * kH * kW);
  const bias = a.bias ? a.bias.subarray(c0 * mult, c1 * mult) : null;
  const skip = (p.o0 - c0 * mult) * P;
  for (let n = p.n0; n < p.n1; n++) {
    const r = cpuConv2d(a.x.subarray((n * C + c0) * plane, (n * C + c1) * plane), w, bias, sub);
    a.out.set(r.subarray(skip, skip + (p.o1 - p.o0) * P), (n * O + p.o0) * P);
  }
  return false;
}

/** applyConvEpilogue over the region part `p` wrote: a band of rows is one row range per (image, channel). */
function epilogue(a: Conv2dArgs, p: ConvPart): void {
  const { outChannels: O, outH, outW } = a.geo;
  const P = outH * outW;
  if (p.h0 === undefined || p.h1 === undefined) {
    applyConvEpilogue(a.out, a.residual, a.act, p.n0, p.n1, p.o0, p.o1, O, P);
    return;
  }
  if (!a.residual && !a.act) return;
  const len = (p.h1 - p.h0) * outW;
  for (let n = p.n0; n < p.n1; n++) {
    for (let o = p.o0; o < p.o1; o++) {
      const at = (n * O + o) * P + p.h0 * outW;
      applyConvEpilogue(a.out.subarray(at, at + len), a.residual?.subarray(at, at + len), a.act, 0, 1, 0, 1, 1, len);
    }
  }
}

/** conv2d, and fusedConv2d's epilogue over each part's region once the part is written. */
export const Conv2D: ParallelKernel<Conv2dArgs, ConvPart> = {
  cost: DenseConv2D.cost,
  plan: (a, threads, simd) => (isDepthwise(a.geo) ? planDepthwise(a.geo, threads) : DenseConv2D.plan(a, threads, simd)),
  run(a, p, ctx) {
    if (isDepthwise(a.geo)) {
      if (!runDepthwise(a, p, ctx.simd)) epilogue(a, p);
      return;
    }
    DenseConv2D.run(a, p, ctx);
    epilogue(a, p);
  },
};
