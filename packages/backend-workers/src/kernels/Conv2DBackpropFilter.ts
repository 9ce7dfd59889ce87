/**
 * ∂L/∂w of conv2d: a sum over the batch, so parts split dW instead (each part owns a block of dW and sums every image
 * itself; grouped convs split whole groups). SIMD path: output-channel ranges in multiples of 8 (the kernel's panel
 * width) when there are enough of them, else input-channel ranges (columns of dW); x is read in place from a padded
 * copy in WebAssembly. Plain path: @cnn/backend-cpu's kernel on output channels.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { conv2dBackwardFilter as cpuBackwardFilter, isDepthwise } from '../cpu-kernels.js';
import { convBackwardFilterSimd } from '../wasm/conv.js';
import { convCost } from './Conv2D.js';
import { splitRange, type ParallelKernel } from './types.js';

export interface Conv2dBackwardFilterArgs {
  x: Float32Array;
  dy: Float32Array;
  geo: Conv2dGeometry;
  out: Float32Array;
}

/** Output channels [o0, o1) (whole groups when grouped) × input channels [c0, c1); the JavaScript path splits output
 * channels only. */
export interface FilterPart {
  o0: number;
  o1: number;
  c0: number;
  c1: number;
}

export const Conv2DBackpropFilter: ParallelKernel<Conv2dBackwardFilterArgs, FilterPart> = {
  cost: (a) => convCost(a.geo),
  plan(a, threads, simd) {
    const { geo } = a;
    const { outChannels: O, inChannels: C } = geo;
    const Og = geo.outChannelsPerGroup;
    if (geo.groups > 1) return splitRange(geo.groups, threads).map(([g0, g1]) => ({ o0: g0 * Og, o1: g1 * Og, c0: 0, c1: C }));
    if (simd && !isDepthwise(geo)) {
      // Output channels when each part gets whole 8-channel panels (MNIST's 1-channel conv1 can split no other way);
      // else input channels, whose parts each pad only their own planes.
      if (O >= 8 * threads || C < threads) return splitRange(O, threads, 8).map(([o0, o1]) => ({ o0, o1, c0: 0, c1: C }));
      return splitRange(C, threads).map(([c0, c1]) => ({ o0: 0, o1: O, c0, c1 }));
    }
    return splitRange(O, threads, O >= 8 * threads ? 4 : 1).map(([o0, o1]) => ({ o0, o1, c0: 0, c1: C }));
  },
  run(a, p, ctx) {
    const { geo } = a;
    const { batch, inChannels: C, outChannels: O, outH, outW, kH, kW, groups } = geo;
    const P = outH * outW;
    const Kc = geo.inChannelsPerGroup * kH * kW;
    if (ctx.simd && !isDepthwise(geo) && groups === 1 && geo.padTop >= 0 && geo.padLeft >= 0) {
      convBackwardFilterSimd(ctx.simd, a.x, a.dy, geo, p, a.out);
      return;
    }
    if (p.c0 !== 0 || p.c1 !== C) {
      // A SIMD plan's input-channel part on a worker without SIMD: the whole dW, of which the other parts write the same values.
      a.out.set(cpuBackwardFilter(a.x, a.dy, geo));
      return;
    }
    if (p.o0 === 0 && p.o1 === O) {
      a.out.set(cpuBackwardFilter(a.x, a.dy, geo));
      return;
    }
    const Op = p.o1 - p.o0;
    const dys = new Float32Array(batch * Op * P);
    for (let n = 0; n < batch; n++) dys.set(a.dy.subarray((n * O + p.o0) * P, (n * O + p.o1) * P), n * Op * P);
    let sub: Conv2dGeometry;
    let xs = a.x;
    if (groups === 1) sub = { ...geo, outChannels: Op, outChannelsPerGroup: Op };
    else {
      // Whole groups [g0, g1): the input channels they read, as their own batch-strided copy.
      const Cg = geo.inChannelsPerGroup;
      const g0 = p.o0 / geo.outChannelsPerGroup;
      const g1 = p.o1 / geo.outChannelsPerGroup;
      const plane = geo.inH * geo.inW;
      const Cp = (g1 - g0) * Cg;
      xs = new Float32Array(batch * Cp * plane);
      for (let n = 0; n < batch; n++) xs.set(a.x.subarray((n * C + g0 * Cg) * plane, (n * C + g1 * Cg) * plane), n * Cp * plane);
      sub = { ...geo, inChannels: Cp, outChannels: Op, groups: g1 - g0 };
    }
    a.out.set(cpuBackwardFilter(xs, dys, sub), p.o0 * Kc);
  },
};
