/**
 * What a parallel kernel is, on both sides of the message channel. The main thread calls `cost` (is it worth a
 * round-trip to the pool?) and `plan` (how to cut the work into independent parts, one message each); a worker (or
 * the main thread, for small problems) calls `run` for one part. Parts write disjoint regions of `out`, so no part
 * ever waits on another: the only synchronisation is "all parts replied".
 */
import type { SimdKernels } from '../wasm/loader.js';

export interface RunContext {
  /** The WebAssembly SIMD kernels, or null on the plain-JavaScript path. */
  simd: SimdKernels | null;
}

export interface ParallelKernel<A, P> {
  /** Rough multiply-add count; below the backend's inline threshold the kernel runs on the calling thread. */
  cost(a: A): number;
  /** Independent parts for up to `threads` workers (a single part is fine). */
  plan(a: A, threads: number, simd: boolean): P[];
  /** Computes one part into `a.out`. */
  run(a: A, part: P, ctx: RunContext): void;
}

/** A range [lo, hi) cut into at most `parts` nearly equal non-empty pieces, aligned to `align` where possible. */
export function splitRange(total: number, parts: number, align = 1): Array<[number, number]> {
  const n = Math.max(1, Math.min(parts, Math.ceil(total / align)));
  const out: Array<[number, number]> = [];
  const units = Math.ceil(total / align);
  let prev = 0;
  for (let i = 1; i <= n; i++) {
    const next = Math.min(total, Math.round((units * i) / n) * align);
    if (next > prev) out.push([prev, next]);
    prev = next;
  }
  return out;
}
