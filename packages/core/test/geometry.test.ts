/** Core's resolvers that backends rely on instead of re-deriving: collapsed loops, transpose walks, the input gradient
 * of a stride-1 conv as a forward conv, and every kernel's output. Checked against brute force, with no backend. */
import { describe, expect, it } from 'vitest';
import {
  backwardInputAsConv, broadcastGeometry, collapseDims, KERNEL_NAMES, kernelOutput, resolveConv2d, stridesOf, transposeGeometry,
  type Conv2dGeometry,
} from '@cnn/core';
import * as geometry from '@cnn/core/geometry';

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every operand's offset, in row-major order of `shape`. */
function walk(shape: readonly number[], strides: readonly (readonly number[])[]): number[][] {
  const out = strides.map(() => [] as number[]);
  const n = shape.reduce((a, d) => a * d, 1);
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    const off = strides.map(() => 0);
    for (let d = shape.length - 1; d >= 0; d--) {
      const c = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      strides.forEach((s, k) => (off[k] += c * s[d]));
    }
    off.forEach((o, k) => out[k].push(o));
  }
  return out;
}

describe('collapseDims', () => {
  it('visits the same offsets in the same order with fewer dims, for random broadcasts', () => {
    const r = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const rank = Math.floor(r() * 6);
      const shape = Array.from({ length: rank }, () => [1, 1, 2, 3, 4][Math.floor(r() * 5)]);
      const a = shape.map((d) => (r() < 0.3 ? 1 : d)).slice(Math.floor(r() * (rank + 1)));
      const b = shape.map((d) => (r() < 0.3 ? 1 : d));
      const geo = broadcastGeometry('test', a, b);
      const { loop } = geo;
      expect(loop.shape.length).toBeGreaterThanOrEqual(1);
      expect(loop.shape.length).toBeLessThanOrEqual(Math.max(1, geo.outShape.length));
      if (geo.outShape.reduce((x, d) => x * d, 1) > 1) expect(loop.shape).not.toContain(1);
      expect(walk(loop.shape, [loop.aStrides, loop.bStrides])).toEqual(walk(geo.outShape, [geo.aStrides, geo.bStrides]));
    }
  });

  it('merges contiguous and broadcast runs, keeps a real stride change apart', () => {
    expect(collapseDims([2, 3, 4], [stridesOf([2, 3, 4])])).toEqual({ shape: [24], strides: [[1]] });
    // b = [1, 4] broadcast along the two leading dims of [2, 3, 4]: those merge, the last stays apart.
    expect(broadcastGeometry('test', [2, 3, 4], [1, 4]).loop).toEqual({ shape: [6, 4], aStrides: [4, 1], bStrides: [0, 1] });
    // b = [3, 1]: its stride changes at every dim, so nothing merges.
    expect(broadcastGeometry('test', [2, 3, 4], [3, 1]).loop).toEqual({ shape: [2, 3, 4], aStrides: [12, 4, 1], bStrides: [0, 1, 0] });
    // A transposed operand cannot merge across its swapped dims.
    expect(collapseDims([3, 2], [[1, 3], [2, 1]])).toEqual({ shape: [3, 2], strides: [[1, 3], [2, 1]] });
  });

  it('gives rank 1 with unit strides for one element (scalars, all-ones shapes)', () => {
    expect(collapseDims([], [[], []])).toEqual({ shape: [1], strides: [[1], [1]] });
    expect(broadcastGeometry('test', [1, 1], [1]).loop).toEqual({ shape: [1], aStrides: [1], bStrides: [1] });
    expect(collapseDims([2, 0, 3], [stridesOf([2, 0, 3])])).toEqual({ shape: [0], strides: [[1]] });
  });
});

describe('transposeGeometry', () => {
  it('walks the input in output order, collapsed', () => {
    const r = rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + Math.floor(r() * 5);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(r() * 3));
      const perm = Array.from({ length: rank }, (_, i) => i).sort(() => r() - 0.5);
      const geo = transposeGeometry(shape, perm);
      expect(geo.outShape).toEqual(perm.map((p) => shape[p]));
      const own = stridesOf(shape);
      expect(geo.inStrides).toEqual(perm.map((p) => own[p]));
      expect(walk(geo.loop.shape, [geo.loop.strides])).toEqual(walk(geo.outShape, [geo.inStrides]));
    }
    expect(transposeGeometry([4, 1, 5], [1, 0, 2]).loop).toEqual({ shape: [20], strides: [1] });
  });
});

/** Naive conv: out[n][o][oh][ow] = Σ x[n][c][oh·s + kh·d − pad][…] · w[o][c − g·Cg][kh][kw]. */
function conv(x: Float64Array, w: ArrayLike<number>, g: Conv2dGeometry): Float64Array {
  const out = new Float64Array(g.batch * g.outChannels * g.outH * g.outW);
  const Cg = g.inChannelsPerGroup;
  const Og = g.outChannelsPerGroup;
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < g.outChannels; o++)
      for (let oh = 0; oh < g.outH; oh++)
        for (let ow = 0; ow < g.outW; ow++) {
          let acc = 0;
          const grp = Math.floor(o / Og);
          for (let cl = 0; cl < Cg; cl++)
            for (let kh = 0; kh < g.kH; kh++)
              for (let kw = 0; kw < g.kW; kw++) {
                const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
                const iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
                if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
                const c = grp * Cg + cl;
                acc += x[((n * g.inChannels + c) * g.inH + ih) * g.inW + iw] * w[((o * Cg + cl) * g.kH + kh) * g.kW + kw];
              }
          out[((n * g.outChannels + o) * g.outH + oh) * g.outW + ow] = acc;
        }
  return out;
}

/** Naive input gradient: the adjoint of `conv` in x. */
function convBackwardInput(dy: Float64Array, w: ArrayLike<number>, g: Conv2dGeometry): Float64Array {
  const dx = new Float64Array(g.batch * g.inChannels * g.inH * g.inW);
  const Cg = g.inChannelsPerGroup;
  const Og = g.outChannelsPerGroup;
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < g.outChannels; o++)
      for (let oh = 0; oh < g.outH; oh++)
        for (let ow = 0; ow < g.outW; ow++) {
          const v = dy[((n * g.outChannels + o) * g.outH + oh) * g.outW + ow];
          const grp = Math.floor(o / Og);
          for (let cl = 0; cl < Cg; cl++)
            for (let kh = 0; kh < g.kH; kh++)
              for (let kw = 0; kw < g.kW; kw++) {
                const ih = oh * g.strideH + kh * g.dilationH - g.padTop;
                const iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
                if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
                dx[((n * g.inChannels + grp * Cg + cl) * g.inH + ih) * g.inW + iw] += v * w[((o * Cg + cl) * g.kH + kh) * g.kW + kw];
              }
        }
  return dx;
}

/** w [O, Cg, kH, kW] → w' [C, Og, kH, kW]: rotated 180°, channel axes swapped within each group. */
function flipSwap(w: ArrayLike<number>, g: Conv2dGeometry): Float64Array {
  const { kH, kW, groups } = g;
  const Cg = g.inChannelsPerGroup;
  const Og = g.outChannelsPerGroup;
  const out = new Float64Array(g.inChannels * Og * kH * kW);
  for (let grp = 0; grp < groups; grp++)
    for (let ol = 0; ol < Og; ol++)
      for (let cl = 0; cl < Cg; cl++)
        for (let kh = 0; kh < kH; kh++)
          for (let kw = 0; kw < kW; kw++) {
            const src = (((grp * Og + ol) * Cg + cl) * kH + kh) * kW + kw;
            const dst = (((grp * Cg + cl) * Og + ol) * kH + (kH - 1 - kh)) * kW + (kW - 1 - kw);
            out[dst] = w[src];
          }
  return out;
}

describe('backwardInputAsConv', () => {
  it('is the forward conv of dy that gives dx, for random stride-1 geometries (groups, dilation, any padding)', () => {
    const r = rng(3);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let trial = 0; trial < 60; trial++) {
      const groups = int(1, 3);
      const k = [int(1, 4), int(1, 4)];
      const dil = [int(1, 2), int(1, 2)];
      // Padding up to beyond the kernel's reach, so the derived padding is sometimes negative.
      const pad = [int(0, dil[0] * (k[0] - 1) + 1), int(0, dil[1] * (k[1] - 1) + 1)];
      const size = [int(dil[0] * (k[0] - 1) + 1, 9), int(dil[1] * (k[1] - 1) + 1, 9)];
      const xShape = [int(1, 2), groups * int(1, 3), size[0], size[1]];
      const wShape = [groups * int(1, 3), xShape[1] / groups, k[0], k[1]];
      const { geo } = resolveConv2d('test', xShape, wShape, null, { padding: [pad[0], pad[1]], dilation: [dil[0], dil[1]], groups });
      const asConv = backwardInputAsConv(geo);
      expect(asConv).not.toBeNull();
      const w = Float64Array.from({ length: wShape.reduce((a, d) => a * d, 1) }, () => r() * 2 - 1);
      const dy = Float64Array.from({ length: geo.batch * geo.outChannels * geo.outH * geo.outW }, () => r() * 2 - 1);
      const want = convBackwardInput(dy, w, geo);
      const got = conv(dy, flipSwap(w, geo), asConv!);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
    }
  });

  it('is null for strided convs', () => {
    const { geo } = resolveConv2d('test', [1, 2, 7, 7], [2, 2, 3, 3], null, { stride: 2 });
    expect(backwardInputAsConv(geo)).toBeNull();
  });
});

describe('kernelOutput', () => {
  it('covers every kernel and states shape, dtype and size', () => {
    expect(Object.keys(kernelOutput).sort()).toEqual([...KERNEL_NAMES].sort());
    const x = { shape: [2, 3, 4], dtype: 'int32' as const };
    expect(kernelOutput.transpose(x, [2, 0, 1])).toEqual({ shape: [4, 2, 3], dtype: 'int32', size: 24 });
    expect(kernelOutput.reduce('argmax', { outer: 2, reduce: 3, inner: 4 })).toEqual({ shape: [2, 4], dtype: 'int32', size: 8 });
    expect(kernelOutput.reduce('sum', { outer: 2, reduce: 3, inner: 0 })).toEqual({ shape: [2, 0], dtype: 'float32', size: 0 });
    expect(kernelOutput.oneHot(x, 5)).toEqual({ shape: [24, 5], dtype: 'float32', size: 120 });
    expect(kernelOutput.cast(x, 'float32').dtype).toBe('float32');
    const { geo } = resolveConv2d('test', [2, 4, 9, 8], [6, 2, 3, 3], null, { groups: 2, stride: 2 });
    expect(kernelOutput.conv2d(geo).shape).toEqual([2, 6, 4, 3]);
    expect(kernelOutput.conv2dBackwardInput(geo).shape).toEqual([2, 4, 9, 8]);
    expect(kernelOutput.conv2dBackwardFilter(geo).shape).toEqual([6, 2, 3, 3]);
  });

  it('is served, with the other resolvers, by the leaf entry @cnn/core/geometry', () => {
    expect(geometry.kernelOutput).toBe(kernelOutput);
    expect(geometry.backwardInputAsConv).toBe(backwardInputAsConv);
    expect(geometry.collapseDims).toBe(collapseDims);
  });
});
