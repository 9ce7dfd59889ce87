/** matmul → Gemm for a single product (Linear's `x · Wᵀ`, transposes as attributes), else MatMul over `[batch, m, n]`
 * with Transposes for stored-transposed operands; a batch-1 operand broadcasts as MatMul's numpy rule does. */
import type { MatMulGeometry, TensorInfo } from '@cnn/core';
import type { Tracer } from '../tracer.js';
import type { Mapped } from './index.js';

export function mapMatmul(t: Tracer, a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): Mapped {
  const { g } = t;
  const { m, n, k } = geo;
  const aShape = geo.transA ? [k, m] : [m, k];
  const bShape = geo.transB ? [n, k] : [k, n];
  if (geo.batch === 1) {
    const A = t.useFloat({ dataId: a.dataId, shape: aShape, dtype: a.dtype });
    const B = t.useFloat({ dataId: b.dataId, shape: bShape, dtype: b.dtype });
    const attrs = { transA: { i: geo.transA ? 1 : 0 }, transB: { i: geo.transB ? 1 : 0 } };
    // Gemm's C is optional from opset 11; before, a zero scalar (broadcast).
    const inputs = g.opset >= 11 ? [A, B] : [A, B, g.scalar(0)];
    return { name: g.op('Gemm', inputs, attrs), shape: [m, n] };
  }
  const operand = (x: TensorInfo, shape: number[], trans: boolean, broadcast: boolean): string => {
    const v = t.useFloat({ dataId: x.dataId, shape: [broadcast ? 1 : geo.batch, ...shape], dtype: x.dtype });
    return trans ? g.op('Transpose', [v], { perm: { ints: [0, 2, 1] } }) : v;
  };
  const A = operand(a, aShape, geo.transA, geo.broadcastA);
  const B = operand(b, bShape, geo.transB, geo.broadcastB);
  return { name: g.op('MatMul', [A, B]) };
}
