/**
 * Max / average pooling over core's window tables (Pool2dGeometry): rows[i·windowH + t] and cols[j·windowW + u] name
 * input cells (≥ 0), padding (-1) or nothing (-2). Max skips both kinds of non-cell and scans as PyTorch does
 * (`cnn_pool_pick`: the first of tied maxima, every NaN replacing the pick, so a window holding NaN gives NaN and its
 * last NaN is the arg-max); average sums the cells and divides by rowDiv·colDiv.
 */
import type { Pool2dGeometry } from '@cnn/core';
import { Src } from '../codegen.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function pool2d(rt: GpuRuntime, x: GpuData, g: Pool2dGeometry, size: number): GpuData {
  const s = poolWindow(g, g.mode === 'max' ? 'max' : 'avg');
  return rt.run(s.kernel(['X', 'rows', 'cols', 'rdiv', 'cdiv'], 'res'), size, [x, ...windowTables(rt, g)]);
}

/** The window tables as uploaded arrays, in the kernel argument order rows, cols, rdiv, cdiv. */
export function windowTables(rt: GpuRuntime, g: Pool2dGeometry): [Float32Array, Float32Array, Float32Array, Float32Array] {
  return [rt.table(g.rows), rt.table(g.cols), rt.table(g.rowDiv), rt.table(g.colDiv)];
}

/**
 * The window loop over output index i, leaving `res`: 'max' → the max, 'arg' → the in-plane index r·inW + c of the
 * pick (the first max, or the last NaN), 'avg' → the mean. Arguments X, rows, cols, rdiv, cdiv.
 */
export function poolWindow(g: Pool2dGeometry, what: 'max' | 'arg' | 'avg'): Src {
  const s = new Src();
  const [plane, ohw] = s.divmod('i', g.outH * g.outW);
  const [oh, ow] = s.divmod(ohw, g.outW);
  const xBase = s.let('xb', `${plane} * ${g.inH * g.inW}`);
  if (what === 'avg') s.add('let acc = 0;');
  else s.add('let best = 0; let arg = -1;');
  s.add(`for (let t = 0; t < ${g.windowH}; t++) { let r = rows[${oh} * ${g.windowH} + t]; if (r >= 0) {`);
  s.add(`for (let u = 0; u < ${g.windowW}; u++) { let c = cols[${ow} * ${g.windowW} + u]; if (c >= 0) {`);
  s.add(`let v = X[${xBase} + r * ${g.inW} + c];`);
  if (what === 'avg') s.add('acc += v;');
  else s.add(`if (arg < 0 || cnn_pool_pick(v, best) > 0.5) { best = v; arg = r * ${g.inW} + c; }`);
  s.add('} } } }');
  if (what === 'avg') s.add(`let res = acc / (rdiv[${oh}] * cdiv[${ow}]);`);
  else s.add(`let res = ${what === 'max' ? 'best' : 'arg'};`);
  return s;
}
