import { describe, it } from 'vitest';
import type { MatMulGeometry } from '@cnn/core';
import { expectClose, randArray, randInt, rng, setup } from './helpers.js';

function refMatmul(a: Float32Array, b: Float32Array, g: MatMulGeometry): Float64Array {
  const out = new Float64Array(g.batch * g.m * g.n);
  for (let t = 0; t < g.batch; t++) {
    const ao = g.broadcastA ? 0 : t * g.m * g.k;
    const bo = g.broadcastB ? 0 : t * g.k * g.n;
    for (let i = 0; i < g.m; i++)
      for (let j = 0; j < g.n; j++) {
        let s = 0;
        for (let p = 0; p < g.k; p++) {
          const av = g.transA ? a[ao + p * g.m + i] : a[ao + i * g.k + p];
          const bv = g.transB ? b[bo + j * g.k + p] : b[bo + p * g.n + j];
          s += av * bv;
        }
        out[(t * g.m + i) * g.n + j] = s;
      }
  }
  return out;
}

function check(g: MatMulGeometry, seed: number): void {
  const r = rng(seed);
  const a = randArray(r, (g.broadcastA ? 1 : g.batch) * g.m * g.k);
  const b = randArray(r, (g.broadcastB ? 1 : g.batch) * g.k * g.n);
  const { be, t, read } = setup();
  const aShape = [g.broadcastA ? 1 : g.batch, g.transA ? g.k : g.m, g.transA ? g.m : g.k];
  const bShape = [g.broadcastB ? 1 : g.batch, g.transB ? g.n : g.k, g.transB ? g.k : g.n];
  const out = read(be.matmul(t(a, aShape), t(b, bShape), g));
  expectClose(out, refMatmul(a, b, g), 1e-4, 1e-5, JSON.stringify(g));
}

describe('matmul', () => {
  it('every transpose / broadcast combination on odd sizes', () => {
    let seed = 1;
    for (const transA of [false, true])
      for (const transB of [false, true])
        for (const broadcastA of [false, true])
          for (const broadcastB of [false, true])
            check({ batch: 3, m: 13, n: 7, k: 11, transA, transB, broadcastA, broadcastB }, seed++);
  });

  it('random shapes, including 1-wide and tile-edge sizes', () => {
    const r = rng(3);
    for (let i = 0; i < 100; i++) {
      check({
        batch: randInt(r, 1, 3), m: randInt(r, 1, 20), n: randInt(r, 1, 20), k: randInt(r, 1, 20),
        transA: r() < 0.5, transB: r() < 0.5, broadcastA: r() < 0.3, broadcastB: r() < 0.3,
      }, 100 + i);
    }
  });

  it('shapes that cross every cache block (M > 128, K > 256, N > 2048)', () => {
    check({ batch: 1, m: 133, n: 37, k: 530, transA: false, transB: false, broadcastA: false, broadcastB: false }, 9);
    check({ batch: 1, m: 9, n: 2100, k: 5, transA: true, transB: true, broadcastA: false, broadcastB: false }, 10);
  });

  it('k = 0 gives zeros', () => {
    const { be, t, read } = setup();
    const out = read(be.matmul(t(new Float32Array(0), [1, 2, 0]), t(new Float32Array(0), [1, 0, 3]),
      { batch: 1, m: 2, n: 3, k: 0, transA: false, transB: false, broadcastA: false, broadcastB: false }));
    expectClose(out, new Float64Array(6));
  });
});
