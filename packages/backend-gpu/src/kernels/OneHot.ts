/** Class indices (read as floats) → one-hot rows of `depth`; an index outside [0, depth) matches no column. */
import { Src } from '../codegen.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function oneHot(rt: GpuRuntime, indices: GpuData, depth: number, size: number): GpuData {
  const s = new Src();
  const [row, c] = s.divmod('i', depth);
  s.add(`let v = idx[${row}];`);
  return rt.run(s.kernel(['idx'], `v == ${c} ? 1 : 0`), size, [indices]);
}
