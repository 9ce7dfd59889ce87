/**
 * Broadcasting binary ops from core's BINARY_OPS table, each compiled once per op (see Unary.ts for why).
 * Runs core's collapsed broadcast loop (`geo.loop`) as an odometer over the outer dims with a strided inner loop;
 * equal-shape operands (a rank-1 loop with unit strides) take a flat loop.
 */
import { BINARY_OPS, erf, sizeOf, type BinaryOpName, type BroadcastGeometry, type TypedArray } from '@cnn/core';

type Erf = (v: number) => number;
type FlatLoop = (A: TypedArray, B: TypedArray, OUT: Float32Array, n: number, p0: number, p1: number, erfFn: Erf) => void;
type StridedLoop = (
  A: TypedArray, B: TypedArray, OUT: Float32Array, shape: readonly number[], as: readonly number[], bs: readonly number[],
  p0: number, p1: number, erfFn: Erf,
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

export function binary(op: BinaryOpName, a: TypedArray, b: TypedArray, geo: BroadcastGeometry, params: readonly number[]): Float32Array {
  const n = sizeOf(geo.outShape);
  const out = new Float32Array(n);
  if (n === 0) return out;
  const p0 = params[0] ?? 0;
  const p1 = params[1] ?? 0;
  const { shape, aStrides, bStrides } = geo.loop;
  if (shape.length === 1 && aStrides[0] === 1 && bStrides[0] === 1) flatLoop(op)(a, b, out, n, p0, p1, erf);
  else stridedLoop(op)(a, b, out, shape, aStrides, bStrides, p0, p1, erf);
  return out;
}
