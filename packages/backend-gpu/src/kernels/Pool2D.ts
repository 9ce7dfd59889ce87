/**
 * Max / average pooling over core's window tables (Pool2dGeometry): rows[i·windowH + t] and cols[j·windowW + u] name
 * input cells (≥ 0), padding (-1) or nothing (-2). Max skips both kinds of non-cell and scans as PyTorch does
 * (`cnn_pool_pick`: the first of tied maxima, every NaN replacing the pick, so a window holding NaN gives NaN and its
 * last NaN is the arg-max); average sums the cells and divides by rowDiv·colDiv.
 * A window larger than one invocation's loop budget (../split.ts; global pooling of a 300 × 300 map) is cut into
 * blocks of window rows and columns: partial sums, or partial picks (value, in-plane index) combined by index so the
 * result is the scan's.
 */
import type { Pool2dGeometry } from '@cnn/core';
import { Src } from '../codegen.js';
import { chunking, sumChunks } from '../split.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function pool2d(rt: GpuRuntime, x: GpuData, g: Pool2dGeometry, size: number): GpuData {
  return poolWindows(rt, x, g, g.mode === 'max' ? 'max' : 'avg', size);
}

/** The window tables as uploaded arrays, in the kernel argument order rows, cols, rdiv, cdiv. */
export function windowTables(rt: GpuRuntime, g: Pool2dGeometry): [Float32Array, Float32Array, Float32Array, Float32Array] {
  return [rt.table(g.rows), rt.table(g.cols), rt.table(g.rowDiv), rt.table(g.colDiv)];
}

/** How a window is cut: window rows and columns per block, and the number of blocks each way. */
interface WindowSplit {
  rowsPer: number;
  colsPer: number;
  rowBlocks: number;
  colBlocks: number;
}

function windowSplit(g: Pool2dGeometry): WindowSplit {
  const cols = chunking(g.windowW, 1);
  const rows = chunking(g.windowH, cols.perChunk + 2);
  return { rowsPer: rows.perChunk, colsPer: cols.perChunk, rowBlocks: rows.chunks, colBlocks: cols.chunks };
}

/**
 * One value per window (`size` windows): 'max' → the max, 'arg' → the in-plane index r·inW + c of the pick (the first
 * max, or the last NaN), 'avg' → the mean.
 */
export function poolWindows(rt: GpuRuntime, x: GpuData, g: Pool2dGeometry, what: 'max' | 'arg' | 'avg', size: number): GpuData {
  const split = windowSplit(g);
  const blocks = split.rowBlocks * split.colBlocks;
  const s = new Src();
  const [block, w] = blocks === 1 ? ['', 'i'] : s.divmod('i', size);
  const [plane, ohw] = s.divmod(w, g.outH * g.outW);
  const [oh, ow] = s.divmod(ohw, g.outW);
  const xBase = s.let('xb', `${plane} * ${g.inH * g.inW}`);
  if (what === 'avg') s.add('let acc = 0;');
  else s.add('let best = 0; let arg = -1;');
  if (blocks === 1) {
    s.add(`for (let t = 0; t < ${g.windowH}; t++) { let r = rows[${oh} * ${g.windowH} + t]; if (r >= 0) {`);
    s.add(`for (let u = 0; u < ${g.windowW}; u++) { let c = cols[${ow} * ${g.windowW} + u]; if (c >= 0) {`);
  } else {
    const [rb, cb] = split.colBlocks === 1 ? [block, s.zero()] : s.divmod(block, split.colBlocks);
    s.add(`for (let tt = 0; tt < ${split.rowsPer}; tt++) { let t = ${rb} * ${split.rowsPer} + tt; let r = -1; if (t < ${g.windowH}) { r = rows[${oh} * ${g.windowH} + t]; } if (r >= 0) {`);
    s.add(`for (let uu = 0; uu < ${split.colsPer}; uu++) { let u = ${cb} * ${split.colsPer} + uu; let c = -1; if (u < ${g.windowW}) { c = cols[${ow} * ${g.windowW} + u]; } if (c >= 0) {`);
  }
  s.add(`let v = X[${xBase} + r * ${g.inW} + c];`);
  if (what === 'avg') s.add('acc += v;');
  else s.add(`if (arg < 0 || cnn_pool_pick(v, best) > 0.5) { best = v; arg = r * ${g.inW} + c; }`);
  s.add('} } } }');
  if (what === 'avg') s.add(`let res = acc / (rdiv[${oh}] * cdiv[${ow}]);`);
  else s.add(`let res = ${what === 'max' ? 'best' : 'arg'};`);
  const args = [x, ...windowTables(rt, g)];
  const names = ['X', 'rows', 'cols', 'rdiv', 'cdiv'];
  if (blocks === 1) return rt.run(s.kernel(names, 'res'), size, args);
  if (what === 'avg') return sumChunks(rt, rt.run(s.kernel(names, 'res'), blocks * size, args), blocks, size, false);
  const picks = rt.run(s.kernel(names, '[best, arg, 0, 0]'), blocks * size, args, 'float32', true);
  return rt.using([picks], () => combinePicks(rt, picks, blocks, size, what));
}

/** The blocks' picks (value, in-plane index) of each window, combined by `cnn_pool_pick_at` into the scan's pick. */
function combinePicks(rt: GpuRuntime, picks: GpuData, blocks: number, size: number, what: 'max' | 'arg'): GpuData {
  const s = new Src();
  s.add('let best = 0; let arg = -1;');
  s.add(`for (let b = 0; b < ${blocks}; b++) { let p = P[b * ${size} + i]; if (p[1] >= 0) {`);
  s.add('if (arg < 0 || cnn_pool_pick_at(p[0], p[1], best, arg) > 0.5) { best = p[0]; arg = p[1]; } } }');
  return rt.run(s.kernel(['P'], what === 'max' ? 'best' : 'arg'), size, [picks]);
}
