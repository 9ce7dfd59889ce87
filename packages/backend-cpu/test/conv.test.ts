import { describe, it } from 'vitest';
import { resolveConv2d, type Conv2dGeometry } from '@cnn/core';
import { expectClose, randArray, randInt, rng, setup, size } from './helpers.js';

// Naive float64 references, written straight from the definition of a zero-padded grouped convolution.
function refConv(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry): Float64Array {
  const out = new Float64Array(g.batch * g.outChannels * g.outH * g.outW);
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < g.outChannels; o++) {
      const grp = Math.floor(o / g.outChannelsPerGroup);
      for (let oh = 0; oh < g.outH; oh++)
        for (let ow = 0; ow < g.outW; ow++) {
          let s = bias ? bias[o] : 0;
          for (let c = 0; c < g.inChannelsPerGroup; c++)
            for (let kh = 0; kh < g.kH; kh++)
              for (let kw = 0; kw < g.kW; kw++) {
                const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
                const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
                const ci = grp * g.inChannelsPerGroup + c;
                s += x[((n * g.inChannels + ci) * g.inH + ih) * g.inW + iw] * w[((o * g.inChannelsPerGroup + c) * g.kH + kh) * g.kW + kw];
              }
          out[((n * g.outChannels + o) * g.outH + oh) * g.outW + ow] = s;
        }
    }
  return out;
}

/** Both gradients at once by the chain rule over the same loops. */
function refConvGrads(x: Float32Array, w: Float32Array, dy: Float32Array, g: Conv2dGeometry): { dx: Float64Array; dw: Float64Array } {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < g.outChannels; o++) {
      const grp = Math.floor(o / g.outChannelsPerGroup);
      for (let oh = 0; oh < g.outH; oh++)
        for (let ow = 0; ow < g.outW; ow++) {
          const d = dy[((n * g.outChannels + o) * g.outH + oh) * g.outW + ow];
          for (let c = 0; c < g.inChannelsPerGroup; c++)
            for (let kh = 0; kh < g.kH; kh++)
              for (let kw = 0; kw < g.kW; kw++) {
                const ih = oh * g.strideH - g.padTop + kh * g.dilationH;
                const iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
                const xi = ((n * g.inChannels + grp * g.inChannelsPerGroup + c) * g.inH + ih) * g.inW + iw;
                const wi = ((o * g.inChannelsPerGroup + c) * g.kH + kh) * g.kW + kw;
                dx[xi] += d * w[wi];
                dw[wi] += d * x[xi];
              }
        }
    }
  return { dx, dw };
}

type Conv2dOptions = Parameters<typeof resolveConv2d>[4];

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  opts: Conv2dOptions;
  bias?: boolean;
}

const fixed: Case[] = [
  { x: [2, 3, 7, 7], w: [4, 3, 3, 3], opts: { padding: 1 }, bias: true },
  { x: [1, 1, 5, 5], w: [1, 1, 3, 3], opts: {} }, // N=1, C=1, O=1
  { x: [2, 4, 6, 6], w: [8, 4, 1, 1], opts: {}, bias: true }, // pointwise: no im2col
  { x: [2, 6, 6, 5], w: [9, 2, 1, 1], opts: { groups: 3 } }, // grouped pointwise
  { x: [2, 4, 5, 5], w: [8, 4, 1, 1], opts: { stride: 2 } }, // 1×1 but strided: im2col path
  { x: [2, 4, 5, 5], w: [4, 4, 1, 1], opts: { padding: 1 } }, // 1×1 but padded
  { x: [2, 6, 9, 8], w: [6, 1, 3, 3], opts: { groups: 6, padding: 1 }, bias: true }, // depthwise
  { x: [2, 3, 9, 8], w: [6, 1, 3, 3], opts: { groups: 3, padding: 1, stride: 2 } }, // depthwise ×2 multiplier
  { x: [1, 4, 10, 11], w: [4, 1, 3, 2], opts: { groups: 4, dilation: [2, 3], padding: [2, 1], stride: [1, 2] } },
  { x: [2, 4, 8, 8], w: [6, 2, 3, 3], opts: { groups: 2, padding: 1 }, bias: true },
  { x: [1, 2, 9, 9], w: [3, 2, 2, 2], opts: { stride: 4 } }, // stride > kernel: untouched input cells
  { x: [2, 3, 11, 9], w: [5, 3, 3, 3], opts: { dilation: 2, padding: 2 } },
  { x: [1, 3, 7, 10], w: [4, 3, 1, 5], opts: { padding: [0, 2] } }, // asymmetric kernel
  { x: [1, 3, 10, 7], w: [4, 3, 5, 1], opts: { padding: 'same' } },
  { x: [1, 2, 6, 6], w: [3, 2, 4, 4], opts: { padding: 'same', dilation: 1 } }, // even kernel 'same': extra pad after
  { x: [2, 5, 1, 9], w: [3, 5, 1, 3], opts: { stride: [1, 3] } }, // H = 1
  { x: [1, 3, 4, 4], w: [2, 3, 4, 4], opts: {} }, // kernel = input: 1×1 output
  { x: [3, 17, 13, 11], w: [19, 17, 3, 3], opts: { padding: 1, stride: [2, 1] }, bias: true }, // odd sizes, GEMM edges
  { x: [1, 40, 12, 12], w: [33, 40, 3, 3], opts: { padding: 1 } }, // Kc = 360 > KC block; Winograd
  // Winograd F(2×2, 3×3) path: odd outputs (partial tiles), every padding 0–2, asymmetric padding via 'same' splits.
  { x: [2, 8, 9, 7], w: [8, 8, 3, 3], opts: { padding: 1 }, bias: true },
  { x: [3, 9, 6, 11], w: [10, 9, 3, 3], opts: { padding: 0 } },
  { x: [1, 12, 5, 5], w: [8, 12, 3, 3], opts: { padding: 2 }, bias: true },
  { x: [1, 8, 2, 3], w: [8, 8, 3, 3], opts: { padding: [1, 2] } },
  { x: [40, 8, 4, 4], w: [8, 8, 3, 3], opts: { padding: 1 } }, // several tile chunks
  // Padding beyond the kernel's reach: the input gradient's conv (core's backwardInputAsConv) has padding -1.
  { x: [2, 8, 4, 5], w: [9, 8, 3, 3], opts: { padding: [3, 3] } },
];

function randomCase(r: () => number): Case {
  const groups = [1, 1, 2, 3][randInt(r, 0, 3)];
  const depthwise = r() < 0.25;
  const cPer = depthwise ? 1 : randInt(r, 1, 4);
  const g = depthwise ? randInt(r, 2, 5) : groups;
  const oPer = randInt(r, 1, 4);
  const kH = randInt(r, 1, 4);
  const kW = randInt(r, 1, 4);
  const dil: [number, number] = [randInt(r, 1, 2), randInt(r, 1, 2)];
  const pad: [number, number] = [randInt(r, 0, 2), randInt(r, 0, 2)];
  const stride: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
  const H = Math.max(dil[0] * (kH - 1) + 1 - 2 * pad[0], 1) + randInt(r, 0, 6);
  const W = Math.max(dil[1] * (kW - 1) + 1 - 2 * pad[1], 1) + randInt(r, 0, 6);
  return {
    x: [randInt(r, 1, 3), cPer * g, H, W],
    w: [oPer * g, cPer, kH, kW],
    opts: { groups: g, dilation: dil, padding: pad, stride },
    bias: r() < 0.5,
  };
}

function check(c: Case, seed: number): void {
  if (c.w[1] === 0) c.w[1] = c.x[1]; // "same as input channels"
  const r = rng(seed);
  const { geo } = resolveConv2d('test', c.x, c.w, c.bias ? [c.w[0]] : null, c.opts);
  const x = randArray(r, size(c.x));
  const w = randArray(r, size(c.w));
  const bias = c.bias ? randArray(r, c.w[0]) : null;
  const dy = randArray(r, geo.batch * geo.outChannels * geo.outH * geo.outW);
  const { be, t, read } = setup();
  const label = JSON.stringify(c);
  const y = read(be.conv2d(t(x, c.x), t(w, c.w), bias ? t(bias, [c.w[0]]) : null, geo));
  expectClose(y, refConv(x, w, bias, geo), 1e-4, 1e-5, `conv2d ${label}`);
  const ref = refConvGrads(x, w, dy, geo);
  const dyShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
  expectClose(read(be.conv2dBackwardInput(t(dy, dyShape), t(w, c.w), geo)), ref.dx, 1e-4, 1e-5, `dx ${label}`);
  expectClose(read(be.conv2dBackwardFilter(t(x, c.x), t(dy, dyShape), geo)), ref.dw, 1e-4, 1e-5, `dw ${label}`);
}

describe('conv2d / conv2dBackwardInput / conv2dBackwardFilter', () => {
  it.each(fixed.map((c, i) => [i, c] as const))('fixed geometry %i', (i, c) => check(c, 100 + i));

  it('random Winograd-eligible geometries (3×3, stride 1, ≥ 8 channels)', () => {
    const r = rng(8);
    for (let i = 0; i < 30; i++) {
      const pad: [number, number] = [randInt(r, 0, 2), randInt(r, 0, 2)];
      check({ x: [randInt(r, 1, 3), randInt(r, 8, 12), randInt(r, 2, 9), randInt(r, 2, 9)].map((v, d) => (d >= 2 ? Math.max(v, 3 - 2 * pad[d - 2]) : v)) as Case['x'],
        w: [randInt(r, 8, 12), 0, 3, 3], opts: { padding: pad }, bias: r() < 0.5 }, 3000 + i);
    }
  });

  it('200 random geometries (groups, depthwise, strides, dilations, padding, odd shapes)', () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) check(randomCase(r), 1000 + i);
  });

  it('a larger layer crosses the GEMM cache blocks (K > 256, N > 2048 within one image)', () => {
    check({ x: [1, 32, 48, 48], w: [20, 32, 3, 3], opts: { padding: 1 }, bias: true }, 5);
  });
});
