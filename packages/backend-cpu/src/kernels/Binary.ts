/**
 * Broadcasting binary ops from core's BINARY_OPS table, each compiled once per op (see Unary.ts for why).
 * Broadcast geometry is first collapsed (adjacent dims merged where both operands stay contiguous), then run as an
 * odometer over the outer dims with a strided inner loop; equal-shape operands take a flat loop.
 */
import { BINARY_OPS, erf, type BinaryOpName, type BroadcastGeometry, type TypedArray } from '@cnn/core';

type Erf = (v: number) => number;
type FlatLoop = (A: TypedArray, B: TypedArray, OUT: Float32Array, n: number, p0: number, p1: number, erfFn: Erf) => void;
type StridedLoop = (
  A: TypedArray, B: TypedArray, OUT: Float32Array, shape: Int32Array, as: Int32Array, bs: Int32Array, p0: number, p1: number, erfFn: Erf,
) => void;

const flatCache = new Map<BinaryOpName, FlatLoop>();
const stridedCache = new Map<BinaryOpName, StridedLoop>();

function flatLoop(op: BinaryOpName): FlatLoop {
  let fn = flatCache.get(op);
  if (!fn) {
    const body = `'use strict';
for (let i = 0; i < n; i++) { const a = A[i], b = B[i]; OUT[i] = ${BINARY_OPS[op].expr}; }`;
    fn = new Function('A', 'B', 'OUT', 'n', 'p0', 'p1', 'erf', body) as FlatLoop;
    flatCache.set(op, fn);
  }
  return fn;
}

function stridedLoop(op: BinaryOpName): StridedLoop {
  let fn = stridedCache.get(op);
  if (!fn) {
    const body = `'use strict';
const rank = shape.length, inner = shape[rank - 1], sa = as[rank - 1], sb = bs[rank - 1];
let outer = 1;
for (let d = 0; d < rank - 1; d++) outer *= shape[d];
const idx = new Int32Array(rank);
let ai = 0, bi = 0, o = 0;
for (let t = 0; t < outer; t++) {
  for (let j = 0; j < inner; j++) { const a = A[ai + j * sa], b = B[bi + j * sb]; OUT[o++] = ${BINARY_OPS[op].expr}; }
  for (let d = rank - 2; d >= 0; d--) {
    idx[d]++; ai += as[d]; bi += bs[d];
    if (idx[d] < shape[d]) break;
    ai -= as[d] * shape[d]; bi -= bs[d] * shape[d]; idx[d] = 0;
  }
}`;
    fn = new Function('A', 'B', 'OUT', 'shape', 'as', 'bs', 'p0', 'p1', 'erf', body) as StridedLoop;
    stridedCache.set(op, fn);
  }
  return fn;
}

/** Drops size-1 dims and merges dim d into d+1 where both operands step through them as one contiguous run. */
function collapse(geo: BroadcastGeometry): { shape: Int32Array; as: Int32Array; bs: Int32Array } {
  const shape: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < geo.outShape.length; d++) {
    const size = geo.outShape[d];
    if (size === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && as[last] === geo.aStrides[d] * size && bs[last] === geo.bStrides[d] * size) {
      shape[last] *= size;
      as[last] = geo.aStrides[d];
      bs[last] = geo.bStrides[d];
    } else {
      shape.push(size);
      as.push(geo.aStrides[d]);
      bs.push(geo.bStrides[d]);
    }
  }
  if (shape.length === 0) return { shape: Int32Array.of(1), as: Int32Array.of(0), bs: Int32Array.of(0) };
  return { shape: Int32Array.from(shape), as: Int32Array.from(as), bs: Int32Array.from(bs) };
}

export function binary(op: BinaryOpName, a: TypedArray, b: TypedArray, geo: BroadcastGeometry, params: readonly number[]): Float32Array {
  let n = 1;
  for (const d of geo.outShape) n *= d;
  const out = new Float32Array(n);
  if (n === 0) return out;
  const p0 = params[0] ?? 0;
  const p1 = params[1] ?? 0;
  const c = collapse(geo);
  if (c.shape.length === 1 && c.as[0] === 1 && c.bs[0] === 1) flatLoop(op)(a, b, out, n, p0, p1, erf);
  else stridedLoop(op)(a, b, out, c.shape, c.as, c.bs, p0, p1, erf);
  return out;
}
