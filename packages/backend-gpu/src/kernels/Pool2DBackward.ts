/**
 * ∂L/∂x of pool2d without scatter: each input cell sums over the windows that hold it, found through core's inverse
 * window maps (`pool2dInverse`). Max: a window's dy goes to the cell the forward picks (the first of tied maxima, the
 * last NaN of a window holding NaN, as PyTorch), recomputed from x by the forward's window scan into a table of
 * in-plane indices. Avg: dy / divisor.
 */
import { pool2dInverse, type Pool2dGeometry } from '@cnn/core';
import { Src } from '../codegen.js';
import type { GpuData, GpuRuntime } from '../runtime.js';
import { poolWindows, windowTables } from './Pool2D.js';

export function pool2dBackward(rt: GpuRuntime, dy: GpuData, x: GpuData, g: Pool2dGeometry, size: number): GpuData {
  if (dy.size === 0) return rt.fill(size, 0);
  const inv = pool2dInverse(g);
  const rw = inv.rows.width;
  const cw = inv.cols.width;
  const s = new Src();
  const [plane, hw] = s.divmod('i', g.inH * g.inW);
  const [r, c] = s.divmod(hw, g.inW);
  const dyBase = s.let('db', `${plane} * ${g.outH * g.outW}`);
  s.add('let acc = 0;');
  s.add(`for (let a = 0; a < ${rw}; a++) { let oh = irows[${r} * ${rw} + a]; if (oh >= 0) {`);
  s.add(`for (let b = 0; b < ${cw}; b++) { let ow = icols[${c} * ${cw} + b]; if (ow >= 0) {`);
  s.add(`let o = ${dyBase} + oh * ${g.outW} + ow;`);
  if (g.mode === 'max') s.add(`if (AM[o] == ${hw}) { acc += DY[o]; }`);
  else s.add('acc += DY[o] / (rdiv[oh] * cdiv[ow]);');
  s.add('} } } }');
  const irows = rt.table(inv.rows.table);
  const icols = rt.table(inv.cols.table);
  if (g.mode !== 'max') {
    const [, , rdiv, cdiv] = windowTables(rt, g);
    return rt.run(s.kernel(['DY', 'irows', 'icols', 'rdiv', 'cdiv'], 'acc'), size, [dy, irows, icols, rdiv, cdiv]);
  }
  const argmax = poolWindows(rt, x, g, 'arg', dy.size);
  return rt.using([argmax], () => rt.run(s.kernel(['DY', 'AM', 'irows', 'icols'], 'acc'), size, [dy, argmax, irows, icols]));
}
