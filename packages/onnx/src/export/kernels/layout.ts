/** transpose → Transpose; reduce → Reduce* or ArgMax/ArgMin over the middle axis of its [outer, reduce, inner] view;
 * oneHot → Equal against a range (out-of-range indices give all-zero rows, as the kernel). */
import type { ReduceGeometry, ReduceOpName, TensorInfo } from '@cnn/core';
import { sizeOf } from '@cnn/core/geometry';
import { ONNX_INT32 } from '../graph.js';
import type { Tracer } from '../tracer.js';
import type { Mapped } from './index.js';

export function mapTranspose(t: Tracer, x: TensorInfo, perm: readonly number[]): Mapped {
  return { name: t.g.op('Transpose', [t.use(x)], { perm: { ints: perm } }) };
}

const REDUCE = { sum: 'ReduceSum', max: 'ReduceMax', min: 'ReduceMin' } as const;

export function mapReduce(t: Tracer, op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): Mapped {
  const { g } = t;
  const view = t.use({ dataId: x.dataId, shape: [geo.outer, geo.reduce, geo.inner], dtype: x.dtype });
  const arg = op === 'argmax' || op === 'argmin';
  // Values come out float32 whatever the input (the kernel's contract); int32 indices only from argmax / argmin.
  const input = x.dtype === 'int32' && !arg ? g.boolToFloat(view) : view;
  if (arg) {
    // ArgMax/ArgMin give the first index on ties (select_last_index = 0), as the kernel.
    const idx = g.op(op === 'argmax' ? 'ArgMax' : 'ArgMin', [input], { axis: { i: 1 }, keepdims: { i: 0 } });
    return { name: g.op('Cast', [idx], { to: { i: ONNX_INT32 } }) };
  }
  if (geo.reduce === 0) throw new Error(`reduce ${op} over an empty axis`);
  return { name: g.reduce(REDUCE[op], input, [1], false) };
}

export function mapOneHot(t: Tracer, indices: TensorInfo, depth: number): Mapped {
  const { g } = t;
  const n = sizeOf(indices.shape);
  const flat = t.use({ dataId: indices.dataId, shape: [n, 1], dtype: indices.dtype });
  const asFloat = indices.dtype === 'int32' ? g.boolToFloat(flat) : flat;
  const range = g.constFloat(Array.from({ length: depth }, (_, i) => i), [1, depth]);
  return { name: g.boolToFloat(g.op('Equal', [asFloat, range])) };
}
