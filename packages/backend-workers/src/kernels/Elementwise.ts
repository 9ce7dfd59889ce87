/**
 * Large elementwise ops on the pool: a unary op, or a binary op on equal-shape operands (a flat loop), cut into
 * contiguous ranges of the output. The main thread sends the op's `expr` from core's table (so the worker bundle
 * carries no op tables) and each worker compiles it once into a loop over a range — the same loop body backend-cpu
 * compiles, hence the same float32 results. Smaller or broadcasting ops stay inline on the calling thread.
 */
import { erf } from '@cnn/core/geometry';
import { splitRange, type ParallelKernel } from './types.js';

export interface ElementwiseArgs {
  /** The op's expression over `x` (unary) or `a`, `b` (binary), its parameters `p0`, `p1`, `Math.*` and `erf`. */
  expr: string;
  arity: 1 | 2;
  params: readonly number[];
  /** Output elements. */
  n: number;
  a: Float32Array;
  b: Float32Array | null;
  out: Float32Array;
}

/** Output elements [i0, i1). */
export interface RangePart {
  i0: number;
  i1: number;
}

type RangeLoop = (A: Float32Array, B: Float32Array | null, OUT: Float32Array, i0: number, i1: number, p0: number, p1: number, erfFn: (v: number) => number) => void;

const loops = new Map<string, RangeLoop>();

/** The loop of `expr` over a range, compiled once per expression (the fused conv's epilogue uses it too; in place
 * is fine: each element is read before it is written). */
export function elementwiseLoop(expr: string, arity: 1 | 2): RangeLoop {
  const key = `${arity}:${expr}`;
  let fn = loops.get(key);
  if (!fn) {
    const read = arity === 1 ? 'const x = A[i];' : 'const a = A[i], b = B[i];';
    fn = new Function('A', 'B', 'OUT', 'i0', 'i1', 'p0', 'p1', 'erf', `'use strict';\nfor (let i = i0; i < i1; i++) { ${read} OUT[i] = ${expr}; }`) as RangeLoop;
    loops.set(key, fn);
  }
  return fn;
}

/** Ranges are multiples of 16 elements (64 bytes), so two workers never write the same cache line. */
export const Elementwise: ParallelKernel<ElementwiseArgs, RangePart> = {
  cost: (a) => 2 * a.n, // a load, a store and the op: about two multiply-adds' worth
  plan: (a, threads) => splitRange(a.n, threads, 16).map(([i0, i1]) => ({ i0, i1 })),
  run(a, p) {
    elementwiseLoop(a.expr, a.arity)(a.a, a.b, a.out, p.i0, p.i1, a.params[0] ?? 0, a.params[1] ?? 0, erf);
  },
};
