// Depthwise conv2d and max pooling (WebAssembly SIMD kernels and the JavaScript path, split across workers by images
// or by channel ranges) and fusedConv2d's epilogue, against backend-cpu's kernels: random geometries, NaN / ±inf
// operands, every epilogue combination, on the pool (inlineBelow 0) and inline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAdaptivePool2d, resolveConv2d, resolvePool2d, UNARY_OPS, type ConvEpilogue, type TensorInfo, type UnaryOpName } from '@cnn/core';
import { createWorkersBackend, type WorkersBackend } from '../src/index.js';
import { planDepthwise } from '../src/kernels/Conv2D.js';
import { regularColumns } from '../src/wasm/pool.js';
import { cpu, randomArray } from './helpers.js';

/** NaN where b is NaN, the same infinity where b is infinite, else |a − b| / (1 + |b|) ≤ 1e-5. */
function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    const ok = Number.isNaN(b) ? Number.isNaN(a) : Number.isFinite(b) ? Math.abs(a - b) / (1 + Math.abs(b)) <= 1e-5 : a === b;
    if (!ok) expect(`${what}: [${i}] = ${a}`).toBe(`${what}: [${i}] = ${b}`);
  }
}

function info(be: { write: WorkersBackend['write'] }, values: Float32Array, shape: number[]): TensorInfo {
  return { dataId: be.write(values, 'float32'), shape, dtype: 'float32' };
}

interface DwCase {
  x: number[];
  /** Output channels per input channel. */
  mult?: number;
  k: [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  bias?: boolean;
}

const DW_CASES: DwCase[] = [
  { x: [1, 32, 19, 23], k: [3, 3], padding: 1, bias: true },
  { x: [1, 13, 17, 30], k: [3, 3], stride: 2, padding: 1, bias: true },
  { x: [1, 16, 16, 16], k: [3, 3], stride: 2, padding: 0 },
  { x: [1, 8, 20, 21], k: [3, 3], dilation: 2, padding: 2, bias: true },
  { x: [1, 9, 15, 14], k: [3, 3], stride: 2, dilation: 2, padding: 1 },
  { x: [1, 12, 12, 40], k: [5, 5], padding: 2, bias: true },
  { x: [1, 10, 11, 13], k: [1, 3], stride: [1, 3], padding: [0, 1] },
  { x: [1, 6, 9, 9], k: [3, 3], padding: 4, bias: true }, // padding wider than the kernel reach: rows of only bias
  { x: [1, 7, 5, 6], k: [7, 7], padding: 3 },
  { x: [1, 5, 2, 3], k: [3, 3], padding: 1, bias: true }, // narrower than one f32x4
  { x: [1, 6, 14, 18], mult: 2, k: [3, 3], padding: 1, bias: true },
  { x: [3, 11, 13, 29], k: [3, 3], padding: 1, bias: true },
  { x: [4, 8, 16, 16], k: [3, 3], stride: 2, padding: 1 },
  { x: [2, 4, 10, 10], mult: 3, k: [3, 3], stride: 2, padding: 1, bias: true },
];

function dwGeometry(c: DwCase) {
  const C = c.x[1];
  const O = C * (c.mult ?? 1);
  const wShape = [O, 1, ...c.k];
  const { geo } = resolveConv2d('test', c.x, wShape, c.bias ? [O] : null, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: C });
  return { geo, wShape, O };
}

function label(c: DwCase): string {
  return `x ${c.x.join('×')} k ${c.k.join('×')} mult ${c.mult ?? 1} s ${c.stride ?? 1} p ${c.padding ?? 0} d ${c.dilation ?? 1}${c.bias ? ' bias' : ''}`;
}

/** Scatters NaN, +inf, -inf into a copy of `a` at a few seeded places. */
function withSpecials(a: Float32Array, seed: number): Float32Array {
  const out = a.slice();
  const specials = [NaN, Infinity, -Infinity];
  for (let i = 0; i < 3; i++) out[(seed * 7919 + i * 104729) % out.length] = specials[i];
  return out;
}

describe('planDepthwise', () => {
  it('splits batch 1 by channel ranges on input-channel boundaries, larger batches by images', () => {
    const { geo } = dwGeometry({ x: [1, 6, 8, 8], mult: 2, k: [3, 3] });
    const parts = planDepthwise(geo, 4);
    expect(parts.length).toBe(4);
    expect(parts.every((p) => p.o0 % 2 === 0 && p.o1 % 2 === 0 && p.n0 === 0 && p.n1 === 1)).toBe(true);
    expect(parts.at(-1)!.o1).toBe(12);
    const batched = planDepthwise(dwGeometry({ x: [5, 6, 8, 8], k: [3, 3] }).geo, 2);
    expect(batched).toEqual([{ n0: 0, n1: 3, o0: 0, o1: 6 }, { n0: 3, n1: 5, o0: 0, o1: 6 }]);
  });
});

for (const simd of [true, false]) {
  for (const threads of [2, 3]) {
    describe(`depthwise conv2d, ${simd ? 'SIMD' : 'no SIMD'}, ${threads} threads`, () => {
      let be: WorkersBackend;
      beforeAll(async () => {
        be = await createWorkersBackend({ threads, simd, inlineBelow: 0 }, `dw-${simd}-${threads}`);
      });
      afterAll(() => be.dispose());

      for (const [i, c] of DW_CASES.entries()) {
        it(label(c), async () => {
          const { geo, wShape, O } = dwGeometry(c);
          const xs = randomArray(c.x.reduce((a, b) => a * b), 10 + i);
          const ws = randomArray(wShape.reduce((a, b) => a * b), 20 + i);
          const bs = c.bias ? randomArray(O, 30 + i) : null;
          for (const [xv, wv, what] of [
            [xs, ws, 'finite'],
            [withSpecials(xs, i), ws, 'NaN/inf in x'],
            [xs, withSpecials(ws, i + 1), 'NaN/inf in w'],
          ] as const) {
            const want = cpu.readSync(cpu.conv2d(info(cpu, xv, c.x), info(cpu, wv, wShape), bs && info(cpu, bs, [O]), geo)) as Float32Array;
            const got = (await be.read(be.conv2d(info(be, xv, c.x), info(be, wv, wShape), bs && info(be, bs, [O]), geo))) as Float32Array;
            expectClose(got, want, `${label(c)}, ${what}`);
          }
        });
      }
    });
  }
}

/** The unfused answer: cpu conv2d, then `+ residual` rounded to float32, then the op's reference. */
function reference(conv: Float32Array, residual: Float32Array | null, act: { op: UnaryOpName; params: number[] } | null): Float32Array {
  const out = conv.slice();
  if (residual) for (let i = 0; i < out.length; i++) out[i] += residual[i];
  if (act) for (let i = 0; i < out.length; i++) out[i] = UNARY_OPS[act.op].ref(out[i], act.params);
  return out;
}

const FUSED_CONVS = [
  { name: 'depthwise 3×3', x: [1, 16, 12, 12], w: [16, 1, 3, 3], opts: { padding: 1, groups: 16 } },
  { name: 'depthwise 3×3 s2, batch 2', x: [2, 8, 11, 11], w: [8, 1, 3, 3], opts: { padding: 1, stride: 2, groups: 8 } },
  { name: 'Winograd 3×3', x: [1, 8, 10, 10], w: [12, 8, 3, 3], opts: { padding: 1 } },
  { name: 'im2col 3×3 s2', x: [2, 5, 9, 9], w: [6, 5, 3, 3], opts: { padding: 1, stride: 2 } },
  { name: 'pointwise', x: [1, 16, 7, 7], w: [24, 16, 1, 1], opts: {} },
  { name: 'grouped', x: [1, 8, 7, 7], w: [8, 2, 3, 3], opts: { padding: 1, groups: 4 } },
];

const ACTIVATIONS: Array<{ op: UnaryOpName; params: number[] } | null> = [
  null,
  { op: 'relu', params: [] },
  { op: 'clamp', params: [0, 6] },
  { op: 'sigmoid', params: [] }, // compiled from its expr
  { op: 'gelu', params: [] }, // calls erf: the worker compiles it with core's geometry-leaf erf
];

for (const simd of [true, false]) {
  for (const inlineBelow of [0, undefined]) {
    describe(`fusedConv2d, ${simd ? 'SIMD' : 'no SIMD'}, ${inlineBelow === 0 ? 'on the pool' : 'default threshold'}`, () => {
      let be: WorkersBackend;
      beforeAll(async () => {
        be = await createWorkersBackend({ threads: 2, simd, inlineBelow }, `fused-${simd}-${inlineBelow}`);
      });
      afterAll(() => be.dispose());

      for (const [i, c] of FUSED_CONVS.entries()) {
        it(c.name, async () => {
          const { geo } = resolveConv2d('test', c.x, c.w, [c.w[0]], c.opts);
          const outShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
          const size = outShape.reduce((a, b) => a * b, 1);
          // Scaled so that relu, clamp and sigmoid all see both signs and clamp's upper bound is reached.
          const xs = randomArray(c.x.reduce((a, b) => a * b), 40 + i).map((v) => v * 4);
          xs[3] = NaN;
          const ws = randomArray(c.w.reduce((a, b) => a * b), 50 + i);
          const bs = randomArray(c.w[0], 60 + i);
          const rs = randomArray(size, 70 + i).map((v) => v * 3);
          rs[size - 1] = -Infinity;
          for (const withBias of [false, true]) {
            const conv = cpu.readSync(cpu.conv2d(info(cpu, xs, c.x), info(cpu, ws, c.w), withBias ? info(cpu, bs, [c.w[0]]) : null, geo)) as Float32Array;
            for (const withResidual of [false, true]) {
              for (const act of ACTIVATIONS) {
                const epilogue: ConvEpilogue = { residual: withResidual ? info(be, rs, outShape) : null, activation: act };
                const y = be.fusedConv2d(info(be, xs, c.x), info(be, ws, c.w), withBias ? info(be, bs, [c.w[0]]) : null, epilogue, geo);
                const got = (await be.read(y)) as Float32Array;
                const what = `${c.name}, bias ${withBias}, residual ${withResidual}, ${act?.op ?? 'no activation'}`;
                expectClose(got, reference(conv, withResidual ? rs : null, act), what);
              }
            }
          }
          expect(be.memory().queuedTasks).toBe(0);
        });
      }

      it('a worker fault in a fused conv rejects its read, and the next fused conv works', async () => {
        if (inlineBelow !== 0) return;
        const c = FUSED_CONVS[0];
        const { geo } = resolveConv2d('test', c.x, c.w, null, c.opts);
        const xs = randomArray(c.x.reduce((a, b) => a * b), 1);
        const ws = randomArray(c.w.reduce((a, b) => a * b), 2);
        const run = () => be.fusedConv2d(info(be, xs, c.x), info(be, ws, c.w), null, { residual: null, activation: { op: 'relu', params: [] } }, geo);
        be.injectFaultForTesting('throw');
        await expect(be.read(run())).rejects.toThrow(/kernel 'fusedConv2d' failed: injected fault/);
        const conv = cpu.readSync(cpu.conv2d(info(cpu, xs, c.x), info(cpu, ws, c.w), null, geo)) as Float32Array;
        expectClose((await be.read(run())) as Float32Array, reference(conv, null, { op: 'relu', params: [] }), 'after the fault');
      });
    });
  }
}

const POOLS = [
  { name: '3×3 s2 p1, batch 1', x: [1, 13, 23, 22], geo: (x: number[]) => resolvePool2d('t', x, 'max', { kernelSize: 3, stride: 2, padding: 1 }) },
  { name: '2×2 s2', x: [3, 5, 16, 16], geo: (x: number[]) => resolvePool2d('t', x, 'max', { kernelSize: 2 }) },
  { name: '3×3 s1 p1', x: [1, 7, 9, 30], geo: (x: number[]) => resolvePool2d('t', x, 'max', { kernelSize: 3, stride: 1, padding: 1 }) },
  { name: '3×2 s(2,3) dilation 2, ceil mode', x: [2, 4, 17, 29], geo: (x: number[]) => resolvePool2d('t', x, 'max', { kernelSize: [3, 2], stride: [2, 3], dilation: 2, ceilMode: true, padding: 1 }) },
  { name: 'adaptive 5×7 (irregular windows)', x: [1, 6, 13, 19], geo: (x: number[]) => resolveAdaptivePool2d('t', x, 'max', [5, 7]) },
  { name: 'narrow (1 column)', x: [1, 4, 6, 1], geo: (x: number[]) => resolvePool2d('t', x, 'max', { kernelSize: [2, 1] }) },
];

describe('regularColumns', () => {
  it('finds the strided interior of a padded window table', () => {
    const geo = resolvePool2d('t', [1, 1, 10, 10], 'max', { kernelSize: 3, stride: 2, padding: 1 });
    expect(regularColumns(geo.cols, 3, geo.outW)).toEqual({ jLo: 1, jHi: 5, sW: 2, c0: -1, dW: 1 });
  });
});

for (const simd of [true, false]) {
  describe(`max pool2d, ${simd ? 'SIMD' : 'no SIMD'}, 3 threads`, () => {
    let be: WorkersBackend;
    beforeAll(async () => {
      be = await createWorkersBackend({ threads: 3, simd, inlineBelow: 0 }, `pool-${simd}`);
    });
    afterAll(() => be.dispose());

    for (const [i, c] of POOLS.entries()) {
      it(c.name, async () => {
        const geo = c.geo(c.x);
        const xs = randomArray(c.x.reduce((a, b) => a * b), 80 + i);
        const allNegInf = xs.slice().fill(-Infinity);
        for (const [xv, what] of [[xs, 'finite'], [withSpecials(xs, i), 'NaN/inf'], [allNegInf, 'all -inf']] as const) {
          const want = cpu.readSync(cpu.pool2d(info(cpu, xv, c.x), geo)) as Float32Array;
          const got = (await be.read(be.pool2d(info(be, xv, c.x), geo))) as Float32Array;
          expectClose(got, want, `${c.name}, ${what}`);
        }
      });
    }
  });
}
