import { CpuBackend } from '@cnn/backend-cpu';
import type { Backend, DataId, TensorInfo } from '@cnn/core';

export function randomArray(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

export const cpu = new CpuBackend();

export function put(be: Backend, shape: number[], seed: number): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  return { dataId: be.write(randomArray(size, seed), 'float32'), shape, dtype: 'float32' };
}

/** Max |a − b| / (1 + |b|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return e;
}

export async function readBack(be: Backend, id: DataId): Promise<Float32Array> {
  return (await be.read(id)) as Float32Array;
}
