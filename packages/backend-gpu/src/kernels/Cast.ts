/**
 * dtype conversion. Both dtypes live in float textures; float32 → int32 truncates toward zero (NaN and ±inf stay and
 * are read back as 0, as a typed-array store does on the cpu backend).
 */
import type { DType } from '@cnn/core';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function cast(rt: GpuRuntime, x: GpuData, dtype: DType): GpuData {
  if (dtype === 'float32' || x.dtype === 'int32') return rt.copy(x, dtype);
  return rt.run('function(x) { let v = x[this.thread.x]; return v >= 0 ? Math.floor(v) : Math.ceil(v); }', x.size, [x], 'int32');
}
