import type { DType } from '../backend/contract.js';
import { fail, shapeStr } from '../errors.js';
import { sizeOf } from '../geometry/broadcast.js';
import { globalGenerator, type Generator } from '../random.js';
import type { NestedArray, Tensor } from '../tensor.js';
import { backendOf, makeTensor } from './util.js';

export type TensorLike = number | NestedArray | Float32Array | Int32Array | readonly number[];

function inferShape(v: TensorLike): number[] {
  const shape: number[] = [];
  let cur: unknown = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(op, `shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

/** Creates a tensor from (nested) numbers or a typed array, on the active backend. */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  const dt: DType = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  let flat: Float32Array | Int32Array;
  const inferred = ArrayBuffer.isView(values) ? [values.length] : typeof values === 'number' ? [] : inferShape(values);
  const sh = shape ?? inferred;
  checkShape('tensor', sh);
  if (typeof values === 'number') {
    flat = dt === 'int32' ? Int32Array.of(values) : Float32Array.of(values);
  } else if (ArrayBuffer.isView(values)) {
    flat = dt === 'int32' ? Int32Array.from(values) : values instanceof Float32Array ? values : Float32Array.from(values);
  } else {
    const list = (values as unknown[]).flat(Infinity) as number[];
    flat = dt === 'int32' ? Int32Array.from(list) : Float32Array.from(list);
  }
  if (flat.length !== sizeOf(sh)) {
    fail('tensor', `${flat.length} values do not fill shape ${shapeStr(sh)} (${sizeOf(sh)} elements)`);
  }
  const backend = backendOf('tensor');
  return makeTensor(backend, backend.write(flat, dt), sh, dt);
}

export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  checkShape('full', shape);
  const n = sizeOf(shape);
  const data = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  if (value !== 0) data.fill(value);
  return tensor(data, shape, dtype);
}

export const zeros = (shape: readonly number[], dtype: DType = 'float32'): Tensor => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = 'float32'): Tensor => full(shape, 1, dtype);
export const zerosLike = (t: Tensor): Tensor => full(t.shape, 0, t.dtype);
export const onesLike = (t: Tensor): Tensor => full(t.shape, 1, t.dtype);
export const scalar = (value: number, dtype: DType = 'float32'): Tensor => full([], value, dtype);

/** Standard-normal samples from the seedable global generator (see manualSeed). */
export function randn(shape: readonly number[], opts: { mean?: number; std?: number; generator?: Generator } = {}): Tensor {
  checkShape('randn', shape);
  const gen = opts.generator ?? globalGenerator();
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * gen.normal();
  return tensor(data, shape);
}

/** Uniform samples in [low, high). */
export function rand(shape: readonly number[], opts: { low?: number; high?: number; generator?: Generator } = {}): Tensor {
  checkShape('rand', shape);
  const gen = opts.generator ?? globalGenerator();
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * gen.uniform();
  return tensor(data, shape);
}

/** Integers in [low, high), int32. */
export function randint(low: number, high: number, shape: readonly number[], generator?: Generator): Tensor {
  checkShape('randint', shape);
  if (!(high > low)) fail('randint', `high must be > low, got low ${low}, high ${high}`);
  const gen = generator ?? globalGenerator();
  const data = new Int32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + gen.int(high - low);
  return tensor(data, shape, 'int32');
}

export function arange(start: number, end?: number, step = 1): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  if (step === 0) fail('arange', 'step must not be 0');
  const n = Math.max(0, Math.ceil((e - s) / step));
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = s + i * step;
  return tensor(data, [n]);
}
