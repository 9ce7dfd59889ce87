/**
 * Batched matmul. Parts: batch entries when there are enough, else row ranges of C (or column ranges when C is wide
 * and short, e.g. a dense layer's weight gradient). SIMD path: the WebAssembly GEMM; plain path: backend-cpu's GEMM
 * on strided views.
 */
import type { MatMulGeometry } from '@cnn/core';
import { gemm, view } from '../cpu-kernels.js';
import { matmulSimd } from '../wasm/matmul.js';
import { splitRange, type ParallelKernel } from './types.js';

export interface MatMulArgs {
  a: Float32Array;
  b: Float32Array;
  geo: MatMulGeometry;
  out: Float32Array;
}

/** Batch entries [b0, b1) × rows [i0, i1) × columns [j0, j1) of C. */
export interface MatMulPart {
  b0: number;
  b1: number;
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

export const MatMul: ParallelKernel<MatMulArgs, MatMulPart> = {
  cost: (a) => a.geo.batch * a.geo.m * a.geo.n * a.geo.k,
  plan(a, threads) {
    const { batch, m, n } = a.geo;
    if (batch >= threads) return splitRange(batch, threads).map(([b0, b1]) => ({ b0, b1, i0: 0, i1: m, j0: 0, j1: n }));
    if (n > m) return splitRange(n, threads, 8).map(([j0, j1]) => ({ b0: 0, b1: batch, i0: 0, i1: m, j0, j1 }));
    return splitRange(m, threads, 4).map(([i0, i1]) => ({ b0: 0, b1: batch, i0, i1, j0: 0, j1: n }));
  },
  run(args, p, ctx) {
    if (ctx.simd) {
      matmulSimd(ctx.simd, args.a, args.b, args.geo, p, args.out);
      return;
    }
    const { m, n, k, transA, transB, broadcastA, broadcastB } = args.geo;
    const { a, b, out } = args;
    for (let i = p.b0; i < p.b1; i++) {
      const aOff = broadcastA ? 0 : i * m * k;
      const bOff = broadcastB ? 0 : i * k * n;
      const av = transA ? view(a, aOff + p.i0, 1, m) : view(a, aOff + p.i0 * k, k, 1);
      const bv = transB ? view(b, bOff + p.j0 * k, 1, k) : view(b, bOff + p.j0, n, 1);
      gemm(p.i1 - p.i0, p.j1 - p.j0, k, av, bv, view(out, i * m * n + p.i0 * n + p.j0, n, 1), false);
    }
  },
};
