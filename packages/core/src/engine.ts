/**
 * The engine owns tensor bookkeeping: live-tensor counts, tidy scopes, reference counts on backend data (reshape
 * shares data), and whether autograd records. It is global state on purpose, kept on globalThis so that two copies of
 * core (ESM + CJS) agree.
 */
import type { Backend, DataId } from './backend/contract.js';
import { getBackend } from './backend/registry.js';
import { CnnError } from './errors.js';
import type { Tensor } from './tensor.js';

interface EngineState {
  scopes: Set<Tensor>[];
  numTensors: number;
  refCounts: WeakMap<DataId, number>;
  gradDepth: number; // > 0 inside noGrad
  nextId: number;
}

const KEY = Symbol.for('@cnn/core/engine');
type G = typeof globalThis & { [KEY]?: EngineState };

export function engine(): EngineState {
  const g = globalThis as G;
  g[KEY] ??= { scopes: [], numTensors: 0, refCounts: new WeakMap(), gradDepth: 0, nextId: 1 };
  return g[KEY];
}

export function nextTensorId(): number {
  return engine().nextId++;
}

/** Called by every new Tensor: count it and put it in the innermost tidy scope. */
export function trackTensor(t: Tensor): void {
  const e = engine();
  e.numTensors++;
  e.refCounts.set(t.dataId, (e.refCounts.get(t.dataId) ?? 0) + 1);
  const scope = e.scopes[e.scopes.length - 1];
  if (scope) scope.add(t);
}

/** Drops one reference to backend data, freeing it with the last one. */
export function releaseData(backend: Backend, dataId: DataId): void {
  const e = engine();
  const n = (e.refCounts.get(dataId) ?? 1) - 1;
  if (n <= 0) {
    e.refCounts.delete(dataId);
    backend.disposeData(dataId);
  } else {
    e.refCounts.set(dataId, n);
  }
}

export function retainData(dataId: DataId): void {
  const e = engine();
  e.refCounts.set(dataId, (e.refCounts.get(dataId) ?? 0) + 1);
}

export function untrackTensor(t: Tensor, disposed: boolean): void {
  const e = engine();
  if (disposed) e.numTensors--;
  for (const s of e.scopes) s.delete(t);
}

export function isGradEnabled(): boolean {
  return engine().gradDepth === 0;
}

/** Runs `fn` without recording operations for autograd (like torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  const e = engine();
  e.gradDepth++;
  let result: T;
  try {
    result = fn();
  } catch (err) {
    e.gradDepth--;
    throw err;
  }
  if (result instanceof Promise) {
    return result.finally(() => e.gradDepth--) as T;
  }
  e.gradDepth--;
  return result;
}

export type TensorContainer = Tensor | null | undefined | void | number | string | boolean | TensorContainer[] | { [key: string]: TensorContainer };

/**
 * Marks Tensor.prototype (tensor.ts sets it), so that `tidy` can tell tensors in its result from other objects without
 * importing the Tensor class: tensor.ts imports this module, and the reverse import would close a cycle. A registered
 * symbol, so that tensors of a second copy of core (ESM + CJS) are recognised too.
 */
export const TENSOR_BRAND: unique symbol = Symbol.for('@cnn/core/Tensor');

function isBrandedTensor(value: object): value is Tensor {
  return (value as { [TENSOR_BRAND]?: unknown })[TENSOR_BRAND] === true;
}

function collect(value: unknown, into: Set<Tensor>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isBrandedTensor(value)) {
    into.add(value);
    return;
  }
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  for (const v of items) collect(v, into, seen);
}

/**
 * Runs `fn` and disposes every tensor it created, except those in its result (returned tensors move to the
 * enclosing scope) and those marked with `keep()`. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(a: string | (() => T), b?: () => T): T {
  const fn = typeof a === 'function' ? a : b!;
  const e = engine();
  const scope = new Set<Tensor>();
  e.scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    e.scopes.pop();
    for (const t of scope) t.dispose();
    throw err;
  }
  e.scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose(); // what it made before its first await
    throw new CnnError('tidy: the function must be synchronous; await inside it is not supported (read data after tidy returns)');
  }
  const kept = new Set<Tensor>();
  collect(result, kept, new Set());
  const parent = e.scopes[e.scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/** Memory held by the active backend, plus the number of live tensors. */
export interface MemoryInfo {
  numTensors: number;
  numDataIds: number;
  numBytes: number;
  [extra: string]: number | string | boolean;
}

export function memory(): MemoryInfo {
  const m = getBackend().memory();
  return { ...m, numTensors: engine().numTensors };
}
