/** Batched matmul on the WebAssembly SIMD GEMM: the part's operand spans are copied in, C is copied out. */
import type { MatMulGeometry } from '@cnn/core';
import type { SimdKernels } from './loader.js';

export interface MatMulRange {
  b0: number;
  b1: number;
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

export function matmulSimd(s: SimdKernels, a: Float32Array, b: Float32Array, geo: MatMulGeometry, p: MatMulRange, out: Float32Array): void {
  const { m, n, k, transA, transB, broadcastA, broadcastB } = geo;
  const mp = p.i1 - p.i0;
  const np = p.j1 - p.j0;
  if (mp <= 0 || np <= 0) return;
  // Element (i, j) of the part's A (mp × k) and B (k × np), relative to the start of their copied spans.
  const rsA = transA ? 1 : k;
  const csA = transA ? m : 1;
  const rsB = transB ? 1 : n;
  const csB = transB ? k : 1;
  const aStart = transA ? p.i0 : p.i0 * k;
  const aLen = k === 0 ? 0 : (mp - 1) * rsA + (k - 1) * csA + 1;
  const bStart = transB ? p.j0 * k : p.j0;
  const bLen = k === 0 ? 0 : (k - 1) * rsB + (np - 1) * csB + 1;
  s.reset();
  const pA = s.alloc(aLen);
  const pB = s.alloc(bLen);
  const pC = s.alloc(mp * np);
  const pScratch = s.allocBytes(s.k.gemmScratchBytes(mp, np, k));
  const mem = s.commit();
  for (let i = p.b0; i < p.b1; i++) {
    const aOff = (broadcastA ? 0 : i * m * k) + aStart;
    const bOff = (broadcastB ? 0 : i * k * n) + bStart;
    if (i === p.b0 || !broadcastA) mem.set(a.subarray(aOff, aOff + aLen), pA / 4);
    if (i === p.b0 || !broadcastB) mem.set(b.subarray(bOff, bOff + bLen), pB / 4);
    s.k.gemm(mp, np, k, pA, rsA, csA, pB, rsB, csB, pC, np, 0, pScratch);
    const c = mem.subarray(pC / 4, pC / 4 + mp * np);
    const base = i * m * n + p.i0 * n + p.j0;
    if (np === n) out.set(c, base);
    else for (let r = 0; r < mp; r++) out.set(c.subarray(r * np, (r + 1) * np), base + r * n);
  }
}
