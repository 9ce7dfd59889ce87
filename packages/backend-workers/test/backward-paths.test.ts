// The SIMD backward paths against backend-cpu: the weight gradient (x read in place from a padded copy, dy transposed
// into panels; parts by output channels in multiples of 8 or by input channels) and 2×2 stride-2 max-pool backward
// (bit-identical: first of tied maxima, last NaN, all -inf window → first cell, -0 gradients land as +0), with inf
// and NaN in the operands. Through the pool (inlineBelow 0, 2 threads) and, for cuts the planner does not choose,
// by calling the part runner directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConv2d, resolvePool2d, type Conv2dGeometry, type Conv2dOptions, type Pool2dOptions } from '@cnn/core';
import { createWorkersBackend, type WorkersBackend } from '../src/index.js';
import { Conv2DBackpropFilter } from '../src/kernels/Conv2DBackpropFilter.js';
import { Pool2DBackward } from '../src/kernels/Pool2DBackward.js';
import { isMaxPool2x2 } from '../src/wasm/pool.js';
import { loadSimdKernels } from '../src/wasm/loader.js';
import { cpu, randomArray, readBack } from './helpers.js';

/** Conformance's tolerance: |a − b| ≤ 1e-5 + 1e-4·|b|, NaN where b is NaN, equal infinities. */
function expectClose(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) {
    if (!Number.isFinite(b[i])) {
      if (Number.isNaN(b[i])) expect(a[i], `element ${i}`).toBeNaN();
      else expect(a[i], `element ${i}`).toBe(b[i]);
      continue;
    }
    if (!(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-4 * Math.abs(b[i]))) expect.fail(`element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

function expectSame(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`element ${i}: ${a[i]} vs ${b[i]}`);
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const info = (be: { write(v: Float32Array, d: 'float32'): unknown }, v: Float32Array, shape: number[]) =>
  ({ dataId: be.write(v, 'float32'), shape, dtype: 'float32' as const }) as Parameters<typeof cpu.conv2dBackwardFilter>[0];

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  opts: Conv2dOptions;
  /** Puts inf / NaN into x and dy. */
  special?: boolean;
}

const convCases: ConvCase[] = [
  { name: '3×3 pad 1, 16 → 16 channels (output-channel parts)', x: [3, 16, 9, 9], w: [16, 16, 3, 3], opts: { padding: 1 } },
  { name: '3×3 pad 1, 32 → 64 at 12×12', x: [2, 32, 12, 12], w: [64, 32, 3, 3], opts: { padding: 1 } },
  { name: '3×3 unpadded, 1 input channel, 20 outputs (panel tail)', x: [4, 1, 14, 14], w: [20, 1, 3, 3], opts: {} },
  { name: '3×3 stride 2 pad 1, 5 → 6 (input-channel parts)', x: [3, 5, 11, 11], w: [6, 5, 3, 3], opts: { stride: 2, padding: 1 } },
  { name: '3×3 stride 3 dilation 2 pad 2', x: [2, 6, 30, 27], w: [9, 6, 3, 3], opts: { stride: 3, dilation: 2, padding: 2 } },
  { name: '5×3 kernel, asymmetric padding', x: [2, 7, 19, 33], w: [5, 7, 5, 3], opts: { padding: [2, 0] } },
  { name: '1×1 pointwise', x: [2, 10, 6, 6], w: [14, 10, 1, 1], opts: {} },
  { name: 'tiny planes (P = 15, not a multiple of 4)', x: [2, 3, 5, 3], w: [9, 3, 3, 3], opts: { padding: 1 } },
  { name: 'inf and NaN in x and dy, padding · inf', x: [2, 8, 7, 7], w: [16, 8, 3, 3], opts: { padding: 1 }, special: true },
  { name: 'inf and NaN, input-channel parts', x: [2, 8, 7, 7], w: [8, 8, 3, 3], opts: { padding: 1 }, special: true },
];

function convOperands(c: ConvCase): { geo: Conv2dGeometry; x: Float32Array; dy: Float32Array } {
  const geo = resolveConv2d('test', c.x, c.w, null, c.opts).geo;
  const x = randomArray(size(c.x), 51);
  const dy = randomArray(geo.batch * geo.outChannels * geo.outH * geo.outW, 52);
  if (c.special) {
    x[3] = Infinity;
    x[size(c.x) - 9] = NaN;
    x[70] = -Infinity;
    // dy inf at a border position: its padding taps give 0 · inf = NaN, as the im2col GEMM.
    dy[0] = Infinity;
    dy[geo.outH * geo.outW * 3 + 5] = NaN;
  }
  return { geo, x, dy };
}

function convReference(geo: Conv2dGeometry, x: Float32Array, dy: Float32Array, c: ConvCase): Float32Array {
  const dyShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
  return cpu.readSync(cpu.conv2dBackwardFilter(info(cpu, x, c.x), info(cpu, dy, dyShape), geo)) as Float32Array;
}

interface PoolCase {
  name: string;
  x: number[];
  opts: Pool2dOptions;
}

const poolCases: PoolCase[] = [
  { name: '2×2/2 at 8×8', x: [2, 3, 8, 8], opts: { kernelSize: 2 } },
  { name: '2×2/2 at 24×24 (MNIST shape, smaller batch)', x: [2, 8, 24, 24], opts: { kernelSize: 2 } },
  { name: '2×2/2, odd sizes (uncovered last row and column), outW 6', x: [2, 3, 13, 13], opts: { kernelSize: 2 } },
  { name: '2×2/2, outW 5 (scalar tail)', x: [1, 4, 6, 10], opts: { kernelSize: 2 } },
  { name: '2×2/2 ceil mode (edge windows: backend-cpu path)', x: [1, 2, 7, 7], opts: { kernelSize: 2, ceilMode: true } },
  { name: '3×3/2 overlapping (backend-cpu path)', x: [1, 2, 9, 9], opts: { kernelSize: 3, stride: 2 } },
];

/** x with ties, NaN (one and two per window), an all -inf window, ±inf; dy with -0, NaN and inf. */
function poolOperands(c: PoolCase): { x: Float32Array; dy: Float32Array; outShape: number[]; geo: ReturnType<typeof resolvePool2d> } {
  const geo = resolvePool2d('test', c.x, 'max', c.opts);
  const x = randomArray(size(c.x), 61).map((v) => Math.round(v * 4) / 4); // many ties
  const W = c.x[3];
  x[0] = NaN; x[1] = 2; x[W] = NaN; // two NaNs in window (0, 0): the last one is picked
  x[2] = -Infinity; x[3] = -Infinity; x[W + 2] = -Infinity; x[W + 3] = -Infinity; // all -inf: the first cell
  x[4] = Infinity; x[5] = Infinity; // tied +inf
  x[2 * W + 1] = NaN;
  const outShape = [geo.batch, geo.channels, geo.outH, geo.outW];
  const dy = randomArray(size(outShape), 62);
  dy[0] = -0; dy[1] = -0; dy[2] = NaN; dy[3] = Infinity;
  return { x, dy, outShape, geo };
}

describe('backward kernels through the pool (2 threads, every kernel sent)', () => {
  let be: WorkersBackend;
  beforeAll(async () => {
    be = await createWorkersBackend({ threads: 2, simd: true, inlineBelow: 0 });
  });
  afterAll(() => be.dispose());

  for (const c of convCases) {
    it(`conv2dBackwardFilter: ${c.name}`, async () => {
      const { geo, x, dy } = convOperands(c);
      const dyShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
      const got = await readBack(be, be.conv2dBackwardFilter(info(be, x, c.x), info(be, dy, dyShape), geo));
      expectClose(got, convReference(geo, x, dy, c));
    });
  }

  for (const c of poolCases) {
    it(`pool2dBackward max: ${c.name}`, async () => {
      const { x, dy, outShape, geo } = poolOperands(c);
      const got = await readBack(be, be.pool2dBackward(info(be, dy, outShape), info(be, x, c.x), geo));
      const ref = cpu.readSync(cpu.pool2dBackward(info(cpu, dy, outShape), info(cpu, x, c.x), geo)) as Float32Array;
      expectSame(got, ref);
    });
  }

  it('plans weight-gradient parts: 8-channel output panels when there are enough, else input channels', () => {
    const geo = (x: number[], w: number[]) => resolveConv2d('t', x, w, null, { padding: 1 }).geo;
    const plan = (g: Conv2dGeometry) => Conv2DBackpropFilter.plan({ x: new Float32Array(), dy: new Float32Array(), geo: g, out: new Float32Array() }, 2, true);
    expect(plan(geo([1, 32, 8, 8], [64, 32, 3, 3]))).toEqual([{ o0: 0, o1: 32, c0: 0, c1: 32 }, { o0: 32, o1: 64, c0: 0, c1: 32 }]);
    expect(plan(geo([1, 1, 8, 8], [32, 1, 3, 3]))).toEqual([{ o0: 0, o1: 16, c0: 0, c1: 1 }, { o0: 16, o1: 32, c0: 0, c1: 1 }]);
    expect(plan(geo([1, 6, 8, 8], [8, 6, 3, 3]))).toEqual([{ o0: 0, o1: 8, c0: 0, c1: 3 }, { o0: 0, o1: 8, c0: 3, c1: 6 }]);
    const pool = (x: number[], opts: Pool2dOptions) => resolvePool2d('t', x, 'max', opts);
    expect(isMaxPool2x2(pool([1, 1, 24, 24], { kernelSize: 2 }))).toBe(true);
    expect(isMaxPool2x2(pool([1, 1, 7, 7], { kernelSize: 2 }))).toBe(true);
    expect(isMaxPool2x2(pool([1, 1, 7, 7], { kernelSize: 2, ceilMode: true }))).toBe(false);
    expect(isMaxPool2x2(pool([1, 1, 8, 8], { kernelSize: 2, padding: 1 }))).toBe(false);
    expect(isMaxPool2x2(pool([1, 1, 8, 8], { kernelSize: 2, stride: 1 }))).toBe(false);
  });
});

describe('backward parts run directly (every way of cutting the work)', () => {
  const simd = loadSimdKernels();
  for (const c of convCases) {
    it(`conv2dBackwardFilter: ${c.name}`, () => {
      const { geo, x, dy } = convOperands(c);
      const expected = convReference(geo, x, dy, c);
      const { outChannels: O, inChannels: C } = geo;
      const cuts = [
        [{ o0: 0, o1: O, c0: 0, c1: C }],
        Array.from({ length: Math.ceil(O / 8) }, (_, i) => ({ o0: i * 8, o1: Math.min(O, i * 8 + 8), c0: 0, c1: C })),
        Array.from({ length: C }, (_, i) => ({ o0: 0, o1: O, c0: i, c1: i + 1 })),
        // an uneven output cut (not a multiple of 8) and a block of both
        [{ o0: 0, o1: Math.ceil(O / 3), c0: 0, c1: C }, { o0: Math.ceil(O / 3), o1: O, c0: 0, c1: C }],
      ];
      for (const parts of cuts) {
        const out = new Float32Array(expected.length).fill(NaN);
        for (const p of parts) Conv2DBackpropFilter.run({ x, dy, geo, out }, p, { simd });
        expectClose(out, expected);
      }
    });
  }

  for (const c of poolCases) {
    it(`pool2dBackward max: ${c.name}`, () => {
      const { x, dy, outShape, geo } = poolOperands(c);
      const ref = cpu.readSync(cpu.pool2dBackward(info(cpu, dy, outShape), info(cpu, x, c.x), geo)) as Float32Array;
      const planes = geo.batch * geo.channels;
      const out = new Float32Array(ref.length).fill(NaN);
      for (let s = 0; s < planes; s++) Pool2DBackward.run({ dy, x, geo, out }, { s0: s, s1: s + 1 }, { simd });
      expectSame(out, ref);
    });
  }
});
