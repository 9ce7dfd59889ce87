/** The 2-D gather of core's GatherGeometry (pad, slice, crop): out[o, i, j] = x[o, rows[i], cols[j]], or the fill value. */
import type { GatherGeometry } from '@cnn/core';
import { Src } from '../codegen.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function gather(rt: GpuRuntime, x: GpuData, geo: GatherGeometry, value: number, size: number): GpuData {
  const { inH, inW, outH, outW } = geo;
  if (x.size === 0) return rt.fill(size, value, x.dtype);
  const s = new Src();
  const [oi, jj] = s.divmod('i', outW);
  const [o, ii] = s.divmod(oi, outH);
  s.add(`let r = rows[${ii}];`).add(`let c = cols[${jj}];`);
  s.add('let v = fillValue;');
  s.add(`if (r >= 0 && c >= 0) { v = x[${o} * ${inH * inW} + r * ${inW} + c]; }`);
  const program = s.kernel(['x', 'rows', 'cols', 'fillValue'], 'v');
  const fill = Math.fround(value);
  const out = rt.run(program, size, [x, rt.table(geo.rows), rt.table(geo.cols), fill], x.dtype);
  // int32 beyond float32's range: the remainders move the same way (the fill value's own remainder fills)
  return rt.withLow(out, x, (low) => rt.run(program, size, [low, rt.table(geo.rows), rt.table(geo.cols), value - fill], x.dtype));
}
