/**
 * The adjoint of gather without scatter: each input cell sums the dy cells that read it, found through core's inverse
 * maps (`gatherInverse`: for input row r the output rows that read it, likewise for columns).
 */
import { gatherInverse, type GatherGeometry } from '@cnn/core';
import { Src } from '../codegen.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function gatherBackward(rt: GpuRuntime, dy: GpuData, geo: GatherGeometry, size: number): GpuData {
  const { inH, inW, outH, outW } = geo;
  if (dy.size === 0) return rt.fill(size, 0);
  const inv = gatherInverse(geo);
  const rw = inv.rows.width;
  const cw = inv.cols.width;
  const s = new Src();
  const [oi, c] = s.divmod('i', inW);
  const [o, r] = s.divmod(oi, inH);
  s.add('let acc = 0;');
  s.add(`for (let a = 0; a < ${rw}; a++) { let oh = irows[${r} * ${rw} + a]; if (oh >= 0) {`);
  s.add(`for (let b = 0; b < ${cw}; b++) { let ow = icols[${c} * ${cw} + b]; if (ow >= 0) { acc += dy[${o} * ${outH * outW} + oh * ${outW} + ow]; } }`);
  s.add('} }');
  return rt.run(s.kernel(['dy', 'irows', 'icols'], 'acc'), size, [dy, rt.table(inv.rows.table), rt.table(inv.cols.table)]);
}
