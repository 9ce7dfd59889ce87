/** Batched matmul on the shared GEMM. Transposed operands are just different strides of the packing views. */
import type { MatMulGeometry } from '@cnn/core';
import { gemm, view } from '../gemm.js';

export function matmul(a: Float32Array, b: Float32Array, geo: MatMulGeometry): Float32Array {
  const { batch, m, n, k, transA, transB, broadcastA, broadcastB } = geo;
  const out = new Float32Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    const aOff = broadcastA ? 0 : i * m * k;
    const bOff = broadcastB ? 0 : i * k * n;
    const av = transA ? view(a, aOff, 1, m) : view(a, aOff, k, 1);
    const bv = transB ? view(b, bOff, 1, k) : view(b, bOff, n, 1);
    gemm(m, n, k, av, bv, view(out, i * m * n, n, 1), false);
  }
  return out;
}
