/**
 * The engine owns tensor bookkeeping: live-tensor counts, tidy scopes, reference counts on backend data (reshape
 * shares data), and whether autograd records. It is global state on purpose, kept on globalThis so that two copies of
 * core (ESM + CJS) agree.
 *
 * Memory is freed three ways. `dispose()` and `tidy` free at once (the fast path). Behind them is a safety net: every
 * tensor is registered with a FinalizationRegistry whose held value is its `Allocation` (backend, DataId, bytes —
 * never the Tensor), so a tensor that user code can no longer reach has its data released when the JavaScript
 * collector finds it, on every backend. Because V8 cannot see GPU textures or worker memory, the engine also asks
 * the host for a collection once live tensor memory has grown by `gcThresholdBytes` since the last one (see
 * gc-trigger.ts). `setMemoryOptions({ safetyNet: false })` (or CNN_SAFETY_NET=0 in Node) turns the net off.
 */
import type { Backend, DataId, DType } from './backend/contract.js';
import { getBackend } from './backend/registry.js';
import { CnnError } from './errors.js';
import { sizeOf } from './geometry/broadcast.js';
import { userCallSite } from './call-site.js';
import { macrotask, requestCollection } from './gc-trigger.js';
import type { Tensor } from './tensor.js';

/** What the engine knows of one live tensor, apart from the Tensor object (which it never holds: this record is the
 * FinalizationRegistry's held value, and must not keep its tensor reachable). `dataId` changes on `assign`. */
export interface Allocation {
  readonly id: number;
  readonly backend: Backend;
  dataId: DataId;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly bytes: number;
  /** The op that made it (the innermost op running when it was created). */
  readonly op: string;
  /** `file:line:column` in user code, when `captureStacks` is on. */
  readonly location?: string;
}

export interface MemoryOptions {
  /** Free tensors that user code can no longer reach (default true; CNN_SAFETY_NET=0 in the environment sets false).
   * Tensors made while it is off are never freed by it. */
  safetyNet: boolean;
  /** Record where in user code each tensor is made, for `liveTensors` (default false: it costs a stack trace per
   * tensor, several microseconds). */
  captureStacks: boolean;
  /** Growth of live tensor bytes since the last collection at which the engine asks the host for a garbage collection
   * (Node; see gc-trigger.ts); 0 never asks. Default 256 MiB. Growth in tensor count triggers one too (see
   * `maybeCollect`). */
  gcThresholdBytes: number;
}

interface DataRef {
  count: number;
  bytes: number;
}

interface EngineState {
  scopes: Set<Tensor>[];
  numTensors: number;
  refCounts: WeakMap<DataId, DataRef>;
  gradDepth: number; // > 0 inside noGrad
  nextId: number;
  /** Every live tensor's record, for `liveTensors`. */
  live: Set<Allocation>;
  registry: FinalizationRegistry<Allocation> | null;
  options: MemoryOptions;
  /** The op now making tensors (set by `backendOf` in ops/util.ts and by autograd), for `Allocation.op`. */
  currentOp: string;
  /** Bytes of live backend data reached through tensors (shared data counted once). */
  liveBytes: number;
  /** `liveBytes` and `numTensors` at the last collection, lowered as its callbacks free tensors: growth is measured
   * from here. */
  baseBytes: number;
  baseTensors: number;
  /** A collection was requested and its finalization callbacks have not all run yet. */
  collecting: boolean;
  /** Idle task turns given to them so far, or -1 once some ran (see `afterRead`). */
  collectTurns: number;
  /** Tensors freed by the safety net so far. */
  numCollected: number;
}

const KEY = Symbol.for('@cnn/core/engine');
type G = typeof globalThis & { [KEY]?: EngineState };

function envSafetyNet(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.CNN_SAFETY_NET;
  return !(v === '0' || v === 'false' || v === 'off');
}

export function engine(): EngineState {
  const g = globalThis as G;
  g[KEY] ??= {
    scopes: [], numTensors: 0, refCounts: new WeakMap(), gradDepth: 0, nextId: 1,
    live: new Set(), registry: null,
    options: { safetyNet: envSafetyNet(), captureStacks: false, gcThresholdBytes: 256 * 2 ** 20 },
    currentOp: 'tensor', liveBytes: 0, baseBytes: 0, baseTensors: 0, collecting: false, collectTurns: 0, numCollected: 0,
  };
  return g[KEY];
}

/** The safety net's callback: `a`'s tensor was collected without `dispose()`. Runs as a task of its own, so it must
 * never throw (the backend may have been disposed since: then there is nothing left to free). */
function collected(a: Allocation): void {
  const e = engine();
  if (!e.live.delete(a)) return;
  e.numTensors--;
  e.numCollected++;
  try {
    releaseData(a.backend, a.dataId);
  } catch {
    // a disposed backend has freed everything already
  }
  e.baseBytes = Math.min(e.baseBytes, e.liveBytes);
  e.baseTensors = Math.min(e.baseTensors, e.numTensors);
}

function registry(e: EngineState): FinalizationRegistry<Allocation> | null {
  if (!e.options.safetyNet || typeof FinalizationRegistry !== 'function') return null;
  e.registry ??= new FinalizationRegistry(collected);
  return e.registry;
}

/** Changes memory options (see `MemoryOptions`); returns the previous ones. */
export function setMemoryOptions(options: Partial<MemoryOptions>): MemoryOptions {
  const e = engine();
  const before = { ...e.options };
  if (options.gcThresholdBytes !== undefined && !(options.gcThresholdBytes >= 0)) {
    throw new CnnError(`setMemoryOptions: gcThresholdBytes must be ≥ 0, got ${options.gcThresholdBytes}`);
  }
  Object.assign(e.options, options);
  return before;
}

export function getMemoryOptions(): MemoryOptions {
  return { ...engine().options };
}

export function nextTensorId(): number {
  return engine().nextId++;
}

/** Names the op whose tensors are made next (see `Allocation.op`). */
export function setCurrentOp(op: string): void {
  engine().currentOp = op;
}

/** Called by every new Tensor: count it, put it in the innermost tidy scope, register it with the safety net, and
 * return its record (which the tensor keeps, for `disposeTensor` and `assign`). */
export function trackTensor(t: Tensor, backend: Backend, dataId: DataId, shape: readonly number[], dtype: DType): Allocation {
  const e = engine();
  e.numTensors++;
  const bytes = 4 * sizeOf(shape); // float32 and int32 alike
  const a: Allocation = {
    id: t.id, backend, dataId, shape, dtype, bytes, op: e.currentOp,
    ...(e.options.captureStacks ? { location: userCallSite() } : {}),
  };
  retainData(dataId, bytes);
  const scope = e.scopes[e.scopes.length - 1];
  if (scope) scope.add(t);
  e.live.add(a);
  const reg = registry(e);
  if (reg) {
    reg.register(t, a, a);
    maybeCollect(e);
  }
  return a;
}

/** Live tensors above the count at the last collection that also trigger one (with at least as many again: like
 * Go's GOGC = 100, so a program that legitimately holds many tensors is not collected over and over). */
const MIN_TENSOR_GROWTH = 1024;

/**
 * Asks the host for a collection once live tensors have grown since the last one by `gcThresholdBytes` or by
 * max(1024, the count then) tensors — only tensors that nobody disposed make that growth last. Then `collecting` makes
 * the next `data()` yield a task turn so the callbacks run; where the host has no collector (browsers) that turn still
 * runs the callbacks of the collections the host made on its own. The levels reset to the current ones, and come down
 * as the callbacks free tensors, so memory held on purpose triggers at most a few requests.
 */
function maybeCollect(e: EngineState): void {
  const limit = e.options.gcThresholdBytes;
  if (limit <= 0) return;
  const overBytes = e.liveBytes - e.baseBytes > limit;
  const overCount = e.numTensors - e.baseTensors > Math.max(MIN_TENSOR_GROWTH, e.baseTensors);
  if (!overBytes && !overCount) return;
  e.baseBytes = e.liveBytes;
  e.baseTensors = e.numTensors;
  e.collecting = true;
  e.collectTurns = 0;
  requestCollection();
}

/** Task turns `afterRead` gives a collection's callbacks before it concludes there were none (the first collection
 * of a process may take more than one turn to start them). */
const IDLE_TURNS = 3;

/** What `Tensor.data()` awaits after a read: one task turn while a requested collection's callbacks are pending, so
 * that they run even in a loop whose awaits all resolve at once (the cpu backend). V8 may spread them over several
 * tasks: the turns go on, one per read, until one frees nothing after some did (or IDLE_TURNS freed nothing at all).
 * Nothing otherwise (the usual case). */
export function afterRead(): Promise<void> | null {
  const e = engine();
  if (!e.collecting) return null;
  const before = e.numCollected;
  return macrotask().then(() => {
    if (e.numCollected !== before) e.collectTurns = -1; // callbacks are running: stop at the first idle turn
    else if (e.collectTurns < 0 || ++e.collectTurns >= IDLE_TURNS) e.collecting = false;
  });
}

/** Drops one reference to backend data, freeing it with the last one. */
export function releaseData(backend: Backend, dataId: DataId): void {
  const e = engine();
  const ref = e.refCounts.get(dataId);
  if (!ref || ref.count <= 1) {
    e.refCounts.delete(dataId);
    if (ref) e.liveBytes -= ref.bytes;
    backend.disposeData(dataId);
  } else {
    ref.count--;
  }
}

export function retainData(dataId: DataId, bytes: number): void {
  const e = engine();
  const ref = e.refCounts.get(dataId);
  if (ref) ref.count++;
  else {
    e.refCounts.set(dataId, { count: 1, bytes });
    e.liveBytes += bytes;
  }
}

/** Takes `t` out of every tidy scope (`keep()`). */
export function untrackTensor(t: Tensor): void {
  for (const s of engine().scopes) s.delete(t);
}

/** The fast path: `t` was disposed. Its data reference is released by the caller. */
export function disposeTensor(t: Tensor, a: Allocation): void {
  const e = engine();
  e.numTensors--;
  e.live.delete(a);
  e.registry?.unregister(a);
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

/** One live tensor, as `liveTensors()` lists it. */
export interface LiveTensor {
  id: number;
  /** The op that made it ('tensor' for tensor()/randn()/…, 'conv2d', 'conv2d backward' for gradients, …). */
  op: string;
  shape: number[];
  dtype: DType;
  bytes: number;
  backend: string;
  /** `file:line:column` of the user code that made it; only with `setMemoryOptions({ captureStacks: true })`. */
  location?: string;
}

/** Live tensors made by one op (at one user-code location, when stacks are captured). */
export interface LiveTensorGroup {
  op: string;
  location?: string;
  numTensors: number;
  /** Bytes of the group's tensors (a view counts its shared data again). */
  numBytes: number;
  /** Up to three distinct shapes, e.g. ['[64, 32, 26, 26]', '[64, 10]']. */
  shapes: string[];
  /** The newest tensor's id: growing ids between two reports mean the group is being added to. */
  newestId: number;
}

export interface LiveTensorsOptions {
  /** 'op': one entry per op (and location, with captured stacks), largest count first. */
  groupBy?: 'op';
  /** Only tensors with an id above this one (e.g. `memory()`'s … or a tensor's id taken before a loop). */
  sinceId?: number;
}

/**
 * The tensors alive now (not disposed and not collected), oldest first, or grouped by the op that made them
 * (`{ groupBy: 'op' }`) — the leak finder: a group that grows from one report to the next is what to fix, and with
 * `setMemoryOptions({ captureStacks: true })` its `location` is the line of user code that makes it.
 */
export function liveTensors(options?: LiveTensorsOptions & { groupBy?: undefined }): LiveTensor[];
export function liveTensors(options: LiveTensorsOptions & { groupBy: 'op' }): LiveTensorGroup[];
export function liveTensors(options: LiveTensorsOptions = {}): LiveTensor[] | LiveTensorGroup[] {
  const since = options.sinceId ?? 0;
  const list = [...engine().live].filter((a) => a.id > since);
  if (options.groupBy !== 'op') {
    return list.sort((a, b) => a.id - b.id).map((a) => ({
      id: a.id, op: a.op, shape: [...a.shape], dtype: a.dtype, bytes: a.bytes, backend: a.backend.name,
      ...(a.location !== undefined ? { location: a.location } : {}),
    }));
  }
  const groups = new Map<string, LiveTensorGroup>();
  for (const a of list) {
    const key = a.location === undefined ? a.op : `${a.op}\0${a.location}`;
    let g = groups.get(key);
    if (!g) {
      g = { op: a.op, ...(a.location !== undefined ? { location: a.location } : {}), numTensors: 0, numBytes: 0, shapes: [], newestId: 0 };
      groups.set(key, g);
    }
    g.numTensors++;
    g.numBytes += a.bytes;
    g.newestId = Math.max(g.newestId, a.id);
    const shape = `[${a.shape.join(', ')}]`;
    if (g.shapes.length < 3 && !g.shapes.includes(shape)) g.shapes.push(shape);
  }
  return [...groups.values()].sort((a, b) => b.numTensors - a.numTensors || b.numBytes - a.numBytes);
}

/** The id the next tensor will get: pass it as `sinceId` to list only what was made after this point. */
export function tensorMark(): number {
  return engine().nextId - 1;
}

/**
 * Asks the host for a full garbage collection (Node; browsers offer none) and waits one task turn, so that every
 * unreachable tensor is freed before it resolves: call it before `liveTensors()` to see only what is really held, or
 * in a test for exact counts. Resolves with whether a collection could be requested.
 */
export async function collectGarbage(): Promise<boolean> {
  const e = engine();
  let asked = false;
  // V8 may spread the callbacks of one collection over several tasks, and a tensor freed by one can make another
  // unreachable: repeat until a round frees nothing (a few rounds at most).
  for (let round = 0; round < 8; round++) {
    const before = e.numCollected;
    asked = requestCollection() || asked;
    await macrotask();
    if (round > 0 && e.numCollected === before) break;
  }
  return asked;
}

/** How many tensors the safety net has freed (made, never disposed, collected once unreachable). */
export function numCollectedTensors(): number {
  return engine().numCollected;
}
