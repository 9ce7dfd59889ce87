/** Axis permutation as core's collapsed strided walk (`transposeGeometry`): the output in order, the input by strides. */
import { transposeGeometry } from '@cnn/core';
import { offsets, Src } from '../codegen.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function transpose(rt: GpuRuntime, x: GpuData, shape: readonly number[], perm: readonly number[]): GpuData {
  const { loop } = transposeGeometry(shape, perm);
  const s = new Src();
  const [off] = offsets(s, loop.shape, [loop.strides]);
  const program = s.kernel(['x'], `x[${off}]`);
  const move = (src: GpuData) => rt.run(program, src.size, [src], x.dtype);
  return rt.withLow(move(x), x, move);
}
