/**
 * Elementwise unary ops from core's UNARY_OPS table. Each op's `expr` is compiled once into its own loop with
 * `new Function`, so every op gets a monomorphic, inlined body instead of a per-element closure call.
 */
import { UNARY_OPS, erf, type UnaryOpName } from '@cnn/core';

type UnaryLoop = (x: Float32Array, out: Float32Array, p0: number, p1: number, erfFn: (v: number) => number) => void;

const cache = new Map<UnaryOpName, UnaryLoop>();

function compile(op: UnaryOpName): UnaryLoop {
  let fn = cache.get(op);
  if (!fn) {
    const body = `'use strict';
const n = X.length;
for (let i = 0; i < n; i++) { const x = X[i]; OUT[i] = ${UNARY_OPS[op].expr}; }`;
    fn = new Function('X', 'OUT', 'p0', 'p1', 'erf', body) as UnaryLoop;
    cache.set(op, fn);
  }
  return fn;
}

export function unary(op: UnaryOpName, x: Float32Array, params: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  compile(op)(x, out, params[0] ?? 0, params[1] ?? 0, erf);
  return out;
}

/** The same loop writing into `out` (which may be `x` itself: each element is read before it is written). */
export function unaryInto(op: UnaryOpName, x: Float32Array, out: Float32Array, params: readonly number[]): void {
  compile(op)(x, out, params[0] ?? 0, params[1] ?? 0, erf);
}
