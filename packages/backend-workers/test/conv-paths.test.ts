// The SIMD forward conv paths against backend-cpu: convGemm (1×1 stride-1 as one GEMM over flat positions, strided
// and dilated gathers, any output width), bands of output rows at batch 1 (with fusedConv2d's epilogue per band),
// grouped convs, channel parts, and Winograd with its SIMD filter transform, including its per-image fallback to the
// direct path on non-finite values. Through the pool (inlineBelow 0, 2 threads) and, for parts the planner does not
// choose, by calling the part runner directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConv2d, type Conv2dGeometry, type Conv2dOptions } from '@cnn/core';
import { createWorkersBackend, type WorkersBackend } from '../src/index.js';
import { planConv } from '../src/kernels/Conv2D.js';
import { convForwardSimd, preferWinograd } from '../src/wasm/conv.js';
import { loadSimdKernels } from '../src/wasm/loader.js';
import { cpu, randomArray, readBack } from './helpers.js';

/** Conformance's tolerance: |a − b| ≤ 1e-5 + 1e-4·|b|, NaN where b is NaN, equal infinities. */
function expectClose(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(b[i]) || !Number.isFinite(b[i])) {
      if (Number.isNaN(b[i])) expect(a[i], `element ${i}`).toBeNaN();
      else expect(a[i], `element ${i}`).toBe(b[i]);
      continue;
    }
    if (!(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-4 * Math.abs(b[i]))) expect.fail(`element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

interface Case {
  name: string;
  x: number[];
  w: number[];
  bias: boolean;
  opts: Conv2dOptions;
}

const cases: Case[] = [
  { name: '1×1 pointwise, 49 positions, 6 output channels', x: [1, 13, 7, 7], w: [6, 13, 1, 1], bias: true, opts: {} },
  { name: '1×1 pointwise, 14×14, 40 channels', x: [1, 24, 14, 14], w: [40, 24, 1, 1], bias: false, opts: {} },
  { name: '1×1 pointwise, 3 rows', x: [1, 9, 3, 10], w: [12, 9, 1, 1], bias: true, opts: {} },
  { name: '1×1 stride 2', x: [1, 16, 28, 28], w: [20, 16, 1, 1], bias: true, opts: { stride: 2 } },
  { name: '1×1 padded', x: [1, 5, 9, 9], w: [7, 5, 1, 1], bias: true, opts: { padding: 1 } },
  { name: '7×7 stride 2 stem (outW 16)', x: [1, 3, 32, 32], w: [16, 3, 7, 7], bias: true, opts: { stride: 2, padding: 3 } },
  { name: '7×7 stride 2 stem (outW 11)', x: [1, 3, 22, 21], w: [10, 3, 7, 7], bias: false, opts: { stride: 2, padding: 3 } },
  { name: '3×3 stride 2 at 14 (outW 7)', x: [1, 12, 14, 14], w: [24, 12, 3, 3], bias: true, opts: { stride: 2, padding: 1 } },
  { name: '3×3 stride 2, wide rows (outW 40)', x: [1, 4, 6, 80], w: [8, 4, 3, 3], bias: true, opts: { stride: 2, padding: 1 } },
  { name: '3×3 stride 3, dilation 2', x: [1, 6, 30, 27], w: [9, 6, 3, 3], bias: true, opts: { stride: 3, dilation: 2, padding: 2 } },
  { name: '3×3, rows of 70 (panels wrap rows)', x: [1, 3, 5, 70], w: [4, 3, 3, 3], bias: true, opts: { padding: 1, groups: 1 } },
  { name: '3×3 stride 3, rows of 66', x: [1, 2, 7, 200], w: [5, 2, 3, 3], bias: false, opts: { stride: 3, padding: 1 } },
  { name: '5×3 kernel, asymmetric padding', x: [1, 7, 19, 33], w: [5, 7, 5, 3], bias: true, opts: { padding: [2, 0] } },
  { name: '3×3 stride 1, 4 channels (not Winograd)', x: [1, 4, 12, 12], w: [4, 4, 3, 3], bias: true, opts: { padding: 1 } },
  { name: 'grouped 3×3 (2 groups)', x: [1, 8, 16, 16], w: [12, 4, 3, 3], bias: true, opts: { padding: 1, groups: 2 } },
  { name: 'grouped 1×1 (4 groups)', x: [1, 16, 9, 9], w: [8, 4, 1, 1], bias: false, opts: { groups: 4 } },
  { name: 'Winograd 3×3, 7×7, 20 → 36 channels', x: [1, 20, 7, 7], w: [36, 20, 3, 3], bias: true, opts: { padding: 1 } },
  { name: 'Winograd 3×3, 13×11, unpadded', x: [1, 9, 13, 11], w: [10, 9, 3, 3], bias: false, opts: {} },
  { name: 'batch 3, 1×1 pointwise', x: [3, 10, 6, 6], w: [14, 10, 1, 1], bias: true, opts: {} },
  { name: 'batch 3, 3×3 stride 2', x: [3, 5, 11, 11], w: [6, 5, 3, 3], bias: true, opts: { stride: 2, padding: 1 } },
];

function geometry(c: Case): Conv2dGeometry {
  return resolveConv2d('test', c.x, c.w, c.bias ? [c.w[0]] : null, c.opts).geo;
}

function reference(c: Case, x: Float32Array, w: Float32Array, b: Float32Array | null): Float32Array {
  const geo = geometry(c);
  const t = (v: Float32Array, shape: number[]) => ({ dataId: cpu.write(v, 'float32'), shape, dtype: 'float32' as const });
  return cpu.readSync(cpu.conv2d(t(x, c.x), t(w, c.w), b ? t(b, [c.w[0]]) : null, geo)) as Float32Array;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('conv2d forward through the pool (2 threads, every kernel sent)', () => {
  let be: WorkersBackend;
  beforeAll(async () => {
    be = await createWorkersBackend({ threads: 2, simd: true, inlineBelow: 0 });
  });
  afterAll(() => be.dispose());

  for (const c of cases) {
    it(c.name, async () => {
      const geo = geometry(c);
      const x = randomArray(size(c.x), 11);
      const w = randomArray(size(c.w), 12);
      const b = c.bias ? randomArray(c.w[0], 13) : null;
      const y = be.conv2d(
        { dataId: be.write(x, 'float32'), shape: c.x, dtype: 'float32' },
        { dataId: be.write(w, 'float32'), shape: c.w, dtype: 'float32' },
        b ? { dataId: be.write(b, 'float32'), shape: [c.w[0]], dtype: 'float32' } : null,
        geo,
      );
      expectClose(await readBack(be, y), reference(c, x, w, b));
    });
  }

  it('plans bands of rows at batch 1 for convGemm convs, channel parts for Winograd', () => {
    const stem = resolveConv2d('t', [1, 3, 224, 224], [64, 3, 7, 7], null, { stride: 2, padding: 3 }).geo;
    expect(planConv(stem, 64, 2, true)).toEqual([{ n0: 0, n1: 1, o0: 0, o1: 64, h0: 0, h1: 56 }, { n0: 0, n1: 1, o0: 0, o1: 64, h0: 56, h1: 112 }]);
    expect(planConv(stem, 64, 2, false)).toEqual([{ n0: 0, n1: 1, o0: 0, o1: 32 }, { n0: 0, n1: 1, o0: 32, o1: 64 }]);
    const wino = resolveConv2d('t', [1, 64, 56, 56], [64, 64, 3, 3], null, { padding: 1 }).geo;
    expect(preferWinograd(wino)).toBe(true);
  });

  it('fusedConv2d applies residual and activation once per band of rows', async () => {
    if (!be.fusedConv2d) return;
    const c = cases.find((k) => k.name.startsWith('7×7 stride 2 stem (outW 11)'))!;
    const geo = geometry(c);
    const x = randomArray(size(c.x), 21);
    const w = randomArray(size(c.w), 22);
    const outShape = [1, geo.outChannels, geo.outH, geo.outW];
    const r = randomArray(size(outShape), 23);
    const y = be.fusedConv2d(
      { dataId: be.write(x, 'float32'), shape: c.x, dtype: 'float32' },
      { dataId: be.write(w, 'float32'), shape: c.w, dtype: 'float32' },
      null,
      { residual: { dataId: be.write(r, 'float32'), shape: outShape, dtype: 'float32' }, activation: { op: 'relu', params: [] } },
      geo,
    );
    const expected = reference(c, x, w, null).map((v, i) => Math.max(Math.fround(v + r[i]), 0));
    expectClose(await readBack(be, y), expected);
  });

  it('Winograd leaves an image holding inf or NaN to the direct path (batch 2: one image each way)', async () => {
    const c: Case = { name: 'wino special', x: [2, 8, 6, 6], w: [8, 8, 3, 3], bias: true, opts: { padding: 1 } };
    const geo = geometry(c);
    const x = randomArray(size(c.x), 31);
    x[8 * 36 + 14] = Infinity; // image 1 only
    x[8 * 36 + 3 * 36 + 20] = NaN;
    const w = randomArray(size(c.w), 32);
    const b = randomArray(8, 33);
    const y = be.conv2d({ dataId: be.write(x, 'float32'), shape: c.x, dtype: 'float32' },
      { dataId: be.write(w, 'float32'), shape: c.w, dtype: 'float32' },
      { dataId: be.write(b, 'float32'), shape: [8], dtype: 'float32' }, geo);
    expectClose(await readBack(be, y), reference(c, x, w, b));
    // and an infinite weight sends every image to the direct path
    const w2 = w.slice();
    w2[5] = -Infinity;
    const y2 = be.conv2d({ dataId: be.write(randomArray(size(c.x), 34), 'float32'), shape: c.x, dtype: 'float32' },
      { dataId: be.write(w2, 'float32'), shape: c.w, dtype: 'float32' }, null, geo);
    expectClose(await readBack(be, y2), reference(c, randomArray(size(c.x), 34), w2, null));
  });
});

describe('conv2d forward parts run directly (every way of cutting the work)', () => {
  const simd = loadSimdKernels();
  for (const c of cases.filter((k) => k.x[0] === 1)) {
    it(c.name, () => {
      const geo = geometry(c);
      const x = randomArray(size(c.x), 41);
      const w = randomArray(size(c.w), 42);
      const b = c.bias ? randomArray(c.w[0], 43) : null;
      const expected = reference(c, x, w, b);
      const O = geo.outChannels;
      const cuts: Array<Array<{ n0: number; n1: number; o0: number; o1: number; h0?: number; h1?: number }>> = [
        [{ n0: 0, n1: 1, o0: 0, o1: O }],
        // bands of 1, 2 and 3 rows
        ...[1, 2, 3].map((band) => Array.from({ length: Math.ceil(geo.outH / band) }, (_, i) => ({
          n0: 0, n1: 1, o0: 0, o1: O, h0: i * band, h1: Math.min(geo.outH, (i + 1) * band),
        }))),
      ];
      // channel parts of 4 (one group only)
      if (geo.groups === 1) cuts.push(Array.from({ length: Math.ceil(O / 4) }, (_, i) => ({ n0: 0, n1: 1, o0: i * 4, o1: Math.min(O, i * 4 + 4) })));
      for (const parts of cuts) {
        const out = new Float32Array(expected.length).fill(NaN);
        for (const p of parts) convForwardSimd(simd, x, w, b, geo, p, out);
        expectClose(out, expected);
      }
    });
  }
});
