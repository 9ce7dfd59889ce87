// The parallel kernels against backend-cpu on shapes the fixtures do not reach: Winograd-eligible convs (odd sizes,
// every padding, channel splits at batch 1), strided / dilated / grouped convs, every matmul layout — on both the SIMD
// and the plain-JavaScript path, with everything sent to the pool (inlineBelow 0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConv2d, type Conv2dOptions, type MatMulGeometry } from '@cnn/core';
import { createWorkersBackend, type WorkersBackend } from '../src/index.js';
import { cpu, maxRelErr, put, readBack } from './helpers.js';

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  opts: Conv2dOptions;
  bias?: boolean;
}

const CONVS: ConvCase[] = [
  { name: 'winograd 3x3 pad 1, batch 2', x: [2, 8, 9, 11], w: [12, 8, 3, 3], opts: { padding: 1 }, bias: true },
  { name: 'winograd 3x3 pad 0, batch 1 (channel split)', x: [1, 16, 14, 10], w: [16, 16, 3, 3], opts: { padding: 0 }, bias: true },
  { name: 'winograd 3x3 pad 2, odd output', x: [3, 9, 7, 5], w: [10, 9, 3, 3], opts: { padding: 2 } },
  { name: 'winograd 3x3 W1-like', x: [4, 32, 16, 16], w: [64, 32, 3, 3], opts: { padding: 1 }, bias: true },
  { name: 'mnist conv1 (C=1, im2col)', x: [4, 1, 28, 28], w: [32, 1, 3, 3], opts: {}, bias: true },
  { name: 'stride 2 pad 1', x: [2, 6, 11, 9], w: [8, 6, 3, 3], opts: { stride: 2, padding: 1 }, bias: true },
  { name: 'dilation 2, 5x5', x: [1, 4, 13, 12], w: [9, 4, 5, 5], opts: { dilation: 2, padding: 3 } },
  { name: 'groups 2', x: [3, 8, 10, 10], w: [12, 4, 3, 3], opts: { groups: 2, padding: 1 }, bias: true },
  { name: 'depthwise', x: [2, 6, 9, 9], w: [6, 1, 3, 3], opts: { groups: 6, padding: 1 } },
  { name: 'pointwise 1x1, batch 1', x: [1, 16, 7, 7], w: [24, 16, 1, 1], opts: {} },
  { name: 'asymmetric 2x4 kernel', x: [2, 5, 8, 9], w: [7, 5, 2, 4], opts: { padding: [1, 2] } },
];

const MATMULS: Array<[string, MatMulGeometry]> = [
  ['plain', { batch: 1, m: 37, n: 29, k: 41, transA: false, transB: false, broadcastA: false, broadcastB: false }],
  ['transA', { batch: 1, m: 20, n: 33, k: 18, transA: true, transB: false, broadcastA: false, broadcastB: false }],
  ['transB, wide', { batch: 1, m: 5, n: 130, k: 300, transA: false, transB: true, broadcastA: false, broadcastB: false }],
  ['both transposed', { batch: 1, m: 13, n: 9, k: 270, transA: true, transB: true, broadcastA: false, broadcastB: false }],
  ['batched, broadcast B', { batch: 3, m: 7, n: 12, k: 5, transA: false, transB: false, broadcastA: false, broadcastB: true }],
  ['batched, broadcast A, transB', { batch: 4, m: 9, n: 6, k: 11, transA: false, transB: true, broadcastA: true, broadcastB: false }],
  ['k = 0', { batch: 1, m: 3, n: 4, k: 0, transA: false, transB: false, broadcastA: false, broadcastB: false }],
];

for (const simd of [true, false]) {
  describe(`parallel kernels vs cpu (${simd ? 'SIMD' : 'JavaScript'})`, () => {
    let be: WorkersBackend;
    beforeAll(async () => {
      be = await createWorkersBackend({ threads: 2, simd, inlineBelow: 0 });
    });
    afterAll(() => be.dispose());

    for (const c of CONVS) {
      it(`conv2d forward and backward: ${c.name}`, async () => {
        const { geo } = resolveConv2d('test', c.x, c.w, c.bias ? [c.w[0]] : null, c.opts);
        const dyShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
        const ops = (b: typeof cpu | WorkersBackend) => {
          const x = put(b, c.x, 1);
          const w = put(b, c.w, 2);
          const bias = c.bias ? put(b, [c.w[0]], 3) : null;
          const dy = put(b, dyShape, 4);
          return [b.conv2d(x, w, bias, geo), b.conv2dBackwardInput(dy, w, geo), b.conv2dBackwardFilter(x, dy, geo)];
        };
        const want = ops(cpu).map((id) => cpu.readSync(id));
        const got = await Promise.all(ops(be).map((id) => readBack(be, id)));
        for (let i = 0; i < 3; i++) expect(maxRelErr(got[i], want[i]), ['forward', 'dx', 'dw'][i]).toBeLessThan(1e-4);
      });
    }

    for (const [name, geo] of MATMULS) {
      it(`matmul: ${name}`, async () => {
        const aShape = [geo.broadcastA ? 1 : geo.batch, geo.transA ? geo.k : geo.m, geo.transA ? geo.m : geo.k];
        const bShape = [geo.broadcastB ? 1 : geo.batch, geo.transB ? geo.n : geo.k, geo.transB ? geo.k : geo.n];
        const want = cpu.readSync(cpu.matmul(put(cpu, aShape, 5), put(cpu, bShape, 6), geo));
        const got = await readBack(be, be.matmul(put(be, aShape, 5), put(be, bShape, 6), geo));
        expect(maxRelErr(got, want)).toBeLessThan(1e-5);
      });
    }
  });
}
