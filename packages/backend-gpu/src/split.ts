/**
 * Long reductions split across invocations. llvmpipe (Mesa's software renderer, which headless-gl runs on where there
 * is no GPU) ends a shader invocation's loops after 65,535 iterations in total, silently: measured, a double loop of
 * 1,031 × 1,030 additions returns 65,409. So no kernel lets one invocation loop more than LOOP_BUDGET times: a longer
 * reduction is cut into chunks, one partial result per (chunk, output), then summed by `sumChunks`. On a real GPU the
 * same split turns a reduction with few outputs (a 3×3 filter gradient) into enough parallel work.
 */
import { Src } from './codegen.js';
import type { GpuData, GpuRuntime } from './runtime.js';

/** Loop iterations one invocation may run (a quarter of llvmpipe's limit, leaving room for loop bookkeeping). */
export const LOOP_BUDGET = 16384;

/** How to cut `count` steps of `cost` loop iterations each into the fewest chunks that fit the budget, evenly. */
export function chunking(count: number, cost: number): { perChunk: number; chunks: number } {
  const most = Math.max(1, Math.floor(LOOP_BUDGET / Math.max(1, cost)));
  const chunks = Math.max(1, Math.ceil(count / most));
  return { perChunk: Math.max(1, Math.ceil(count / chunks)), chunks };
}

/**
 * Like `chunking`, but the chunks divide `count` exactly (the fewest that fit, up to one step per chunk), so packed
 * kernels need no guard for a short last chunk.
 */
export function evenChunking(count: number, cost: number): { perChunk: number; chunks: number } {
  let chunks = chunking(count, cost).chunks;
  while (count % chunks !== 0) chunks++;
  return { perChunk: count / chunks, chunks };
}

/**
 * Sums `partial`, laid out `[chunks, n]` (n texels of 4 values when `vec4`), over its chunks into `[n]`, and disposes
 * it. With one chunk the partial result is the result.
 */
export function sumChunks(rt: GpuRuntime, partial: GpuData, chunks: number, n: number, vec4: boolean): GpuData {
  if (chunks === 1) return partial;
  const s = new Src();
  if (vec4) {
    s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
    s.add(`for (let c = 0; c < ${chunks}; c++) { let v = P[c * ${n} + i]; a0 += v[0]; a1 += v[1]; a2 += v[2]; a3 += v[3]; }`);
  } else {
    s.add('let acc = 0;');
    s.add(`for (let c = 0; c < ${chunks}; c++) { acc += P[c * ${n} + i]; }`);
  }
  return rt.using([partial], () => rt.run(s.kernel(['P'], vec4 ? '[a0, a1, a2, a3]' : 'acc'), n, [partial], 'float32', vec4));
}
