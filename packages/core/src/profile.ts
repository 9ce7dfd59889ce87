/**
 * The profiler: `profile(fn, { model })` runs `fn` once with the active backend's kernel methods and the model's
 * modules instrumented, and resolves to the time spent per (kernel, layer, phase), plus the backend's memory peak.
 * Nothing is hooked outside a `profile` call: every wrapper is an instance-level property shadowing the class's
 * method (backend, modules) or a replaced property (autograd nodes, Tensor.prototype.backward), all put back in a
 * `finally`, so a profiled model or backend is the same object, unchanged, afterwards — also when `fn` throws.
 *
 * Timing. A synchronous backend (cpu; gpu, approximately: it records GL work that may still run later) is timed
 * around each kernel call. An asynchronous backend (workers) returns before the work runs, so it times the work
 * itself: it calls `kernelTimer()` when it queues a task, and runs the task through `timer.time(kernel, exec)`, which
 * reports the task's duration under the layer current when the kernel was called. Only time measured before `fn`
 * settles counts: await the results (`await y.data()`) inside `fn`.
 *
 * Layers. Each module's `forward` pushes its dotted name (Module.namedModules; the model itself is `(TypeName)`) for
 * the kernels it calls; the wrappers are marked OBSERVING_FORWARD, so eval-mode fusion still happens (a fused
 * conv + BN + ReLU is attributed to the module that calls it, e.g. the ResNet block, not to its conv). With autograd recording, the nodes a module's forward adds to the tape are tagged with its
 * name, so the kernels of their backward are attributed to that layer too (phase 'backward').
 */
import { KERNEL_NAMES, type Backend } from './backend/contract.js';
import { getBackend } from './backend/registry.js';
import { CnnError } from './errors.js';
import type { Conv2dGeometry } from './geometry/conv.js';
import type { Pool2dGeometry } from './geometry/pool.js';
import { OBSERVING_FORWARD } from './nn/fusion.js';
import type { Module } from './nn/module.js';
import { Tensor, type GradFn } from './tensor.js';

export { byKernel, byLayer, formatProfile } from './profile-summary.js';
export type { KernelSummary, LayerSummary, FormatProfileOptions } from './profile-summary.js';

export type ProfilePhase = 'forward' | 'backward';

/** Time spent in one backend method, for one layer, in one phase. */
export interface ProfileRecord {
  /** Backend method: a kernel of KERNEL_NAMES ('conv2d', 'binary', …) or 'fusedConv2d'. */
  kernel: string;
  /** Which variant: the op of unary / binary / reduce ('relu', 'add', 'sum'), the pooling mode, a conv's shape
   * ('3×3', '1×1', 'depthwise 3×3 /2' with the stride after the slash); '' for the others. */
  detail: string;
  /** Dotted module name ('layer1.0.conv1'), the model itself as '(ResNet)', a `profileScope` name, or '' when the
   * kernel ran outside every module and scope (loss, optimizer, gradient accumulation). */
  layer: string;
  /** 'backward' for kernels run by `tensor.backward()`. */
  phase: ProfilePhase;
  ms: number;
  /** Calls of the method. */
  count: number;
}

export interface ProfileOptions {
  /** Attribute kernels to this model's modules (by dotted name). Without it every record's layer is '' or a scope. */
  model?: Module;
  /** The backend to instrument; default: the active one. */
  backend?: Backend;
}

export interface ProfileMemory {
  /** `backend.memory().numBytes` when profiling started, at its largest (sampled after every kernel call and write),
   * and when it ended. The run's own peak is `peakBytes - startBytes`. */
  startBytes: number;
  peakBytes: number;
  endBytes: number;
}

export interface Profile<T> {
  /** What `fn` returned. */
  value: T;
  /** One record per (kernel, layer, phase), in the order first seen. Aggregate with `byKernel` / `byLayer`. */
  records: ProfileRecord[];
  /** Wall-clock time of `fn`, and the sum of the records' times (less than the wall time: core's own work, waits). */
  wallMs: number;
  kernelMs: number;
  memory: ProfileMemory;
  /** The profiled backend's name. */
  backend: string;
}

/** What an asynchronous backend uses to time the work of a kernel it runs later (see `kernelTimer`). */
export interface KernelTimer {
  /** Called when `kernel` is queued; returns `exec` wrapped to time itself (sync or until its promise settles) and
   * to report under the layer and phase current now. */
  time<R>(kernel: string, exec: () => R): () => R;
}

interface Call {
  kernel: string;
  detail: string;
  layer: string;
  phase: ProfilePhase;
  /** The backend called `kernelTimer().time`: it reports the time, the wrapper only counts the call. */
  deferred: boolean;
}

class Profiler implements KernelTimer {
  readonly table = new Map<string, ProfileRecord>();
  readonly layers: string[] = [];
  phase: ProfilePhase = 'forward';
  current: Call | null = null;
  closed = false;
  readonly memory: ProfileMemory;
  readonly tagged = new Map<GradFn, GradFn['backward']>();

  constructor(readonly backend: Backend) {
    const b = backend.memory().numBytes;
    this.memory = { startBytes: b, peakBytes: b, endBytes: b };
  }

  layer(): string {
    return this.layers[this.layers.length - 1] ?? '';
  }

  add(kernel: string, detail: string, layer: string, phase: ProfilePhase, ms: number, count: number): void {
    if (this.closed) return;
    const key = `${kernel}\0${detail}\0${layer}\0${phase}`;
    const r = this.table.get(key);
    if (r) {
      r.ms += ms;
      r.count += count;
    } else this.table.set(key, { kernel, detail, layer, phase, ms, count });
  }

  sampleMemory(): void {
    const b = this.backend.memory().numBytes;
    if (b > this.memory.peakBytes) this.memory.peakBytes = b;
  }

  time<R>(kernel: string, exec: () => R): () => R {
    const call = this.current;
    if (call) call.deferred = true;
    const k = call?.kernel ?? kernel;
    const detail = call?.detail ?? '';
    const layer = call?.layer ?? this.layer();
    const phase = call?.phase ?? this.phase;
    if (!call) this.add(k, detail, layer, phase, 0, 1); // work the backend queued outside a kernel method
    return () => {
      const t0 = performance.now();
      const done = () => this.add(k, detail, layer, phase, performance.now() - t0, 0);
      let r: R;
      try {
        r = exec();
      } catch (err) {
        done();
        throw err;
      }
      if (r instanceof Promise) return r.finally(done) as R;
      done();
      return r;
    };
  }

  /** Tags the tape nodes `fn` added between `inputs` and `output` with `layer` (nodes already tagged belong to an
   * inner module or an earlier call), so their backward runs under that layer. */
  tag(output: unknown, inputs: unknown[], layer: string): void {
    if (!(output instanceof Tensor) || !output.gradFn) return;
    const stop = new Set(inputs.filter((t): t is Tensor => t instanceof Tensor));
    const stack: Tensor[] = [output];
    while (stack.length) {
      const t = stack.pop()!;
      const node = t.gradFn;
      if (!node || stop.has(t) || this.tagged.has(node) || Object.isFrozen(node)) continue;
      const original = node.backward;
      this.tagged.set(node, original);
      node.backward = (dy) => this.within(layer, 'backward', () => original.call(node, dy));
      stack.push(...node.inputs);
    }
  }

  within<T>(layer: string | null, phase: ProfilePhase, fn: () => T): T {
    const before = this.phase;
    if (layer !== null) this.layers.push(layer);
    this.phase = phase;
    try {
      return fn();
    } finally {
      this.phase = before;
      if (layer !== null) this.layers.pop();
    }
  }

  untag(): void {
    for (const [node, original] of this.tagged) node.backward = original;
    this.tagged.clear();
  }
}

const KEY = Symbol.for('@cnn/core/profiler');
type G = typeof globalThis & { [KEY]?: { active: Profiler | null } };

function state(): { active: Profiler | null } {
  const g = globalThis as G;
  g[KEY] ??= { active: null };
  return g[KEY];
}

/** For backends that run kernels later (see KernelTimer): the running profiler, or null when none is (the usual
 * case: then a backend does nothing extra). */
export function kernelTimer(): KernelTimer | null {
  const p = state().active;
  return p && !p.closed ? p : null;
}

/** Runs `fn` with its kernels attributed to `name` (e.g. 'loss', 'optimizer') while profiling; just runs it otherwise. */
export function profileScope<T>(name: string, fn: () => T): T {
  const p = state().active;
  return p && !p.closed ? p.within(name, p.phase, fn) : fn();
}

type Restore = () => void;

/** Shadows `names` on `target` with instance-level properties; returns what puts the originals back. */
function shadow(target: object, names: readonly string[], wrap: (name: string, original: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown): Restore {
  const saved: [string, PropertyDescriptor | undefined][] = [];
  const obj = target as Record<string, unknown>;
  const restore = () => {
    for (const [name, d] of saved.reverse()) {
      if (d) Object.defineProperty(target, name, d);
      else delete obj[name];
    }
  };
  try {
    for (const name of names) {
      const original = obj[name];
      if (typeof original !== 'function') continue;
      const d = Object.getOwnPropertyDescriptor(target, name);
      Object.defineProperty(target, name, { value: wrap(name, original as (...a: unknown[]) => unknown), configurable: true, writable: true, enumerable: false });
      saved.push([name, d]);
    }
  } catch (err) {
    restore();
    throw new CnnError(`profile: cannot instrument ${names.join(', ')}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return restore;
}

/** A kernel call's variant (ProfileRecord.detail), from its arguments: an op name, a pooling mode, a conv's shape. */
function detailOf(args: unknown[]): string {
  if (typeof args[0] === 'string') return args[0];
  const geo = args[args.length - 1] as Partial<Conv2dGeometry & Pool2dGeometry> | null;
  if (!geo || typeof geo !== 'object') return '';
  if (typeof geo.mode === 'string') return geo.mode;
  if (geo.kH === undefined || geo.groups === undefined) return '';
  const kind = geo.groups > 1 && geo.groups === geo.inChannels ? 'depthwise ' : geo.groups > 1 ? `groups ${geo.groups} ` : '';
  const stride = geo.strideH !== 1 || geo.strideW !== 1 ? ` /${geo.strideH === geo.strideW ? geo.strideH : `${geo.strideH}×${geo.strideW}`}` : '';
  return `${kind}${geo.kH}×${geo.kW}${stride}`;
}

function instrumentBackend(p: Profiler): Restore {
  const be = p.backend;
  const kernels = new Set<string>([...KERNEL_NAMES, 'fusedConv2d']);
  return shadow(be, [...kernels, 'write'], (name, original) =>
    function (this: unknown, ...args: unknown[]) {
      // A kernel the backend calls from inside another (a fused conv falling back to conv2d) counts as the outer one.
      if (p.current || p.closed || !kernels.has(name)) {
        const r = original.apply(this ?? be, args);
        if (!p.current && !p.closed) p.sampleMemory();
        return r;
      }
      const call: Call = { kernel: name, detail: detailOf(args), layer: p.layer(), phase: p.phase, deferred: false };
      p.current = call;
      const t0 = performance.now();
      try {
        return original.apply(this ?? be, args);
      } finally {
        const ms = performance.now() - t0;
        p.current = null;
        p.add(name, call.detail, call.layer, call.phase, call.deferred ? 0 : ms, 1);
        p.sampleMemory();
      }
    },
  );
}

function instrumentModules(p: Profiler, model: Module): Restore {
  const restores: Restore[] = [];
  const seen = new Set<Module>();
  try {
    for (const [name, module] of model.namedModules()) {
      if (seen.has(module)) continue; // a module registered under two names keeps its first
      seen.add(module);
      const layer = name || `(${module.typeName})`;
      restores.push(
        shadow(module, ['forward'], (_, original) => {
          const wrapped = (...args: unknown[]) => {
            const y = p.within(layer, p.phase, () => original.apply(module, args));
            p.tag(y, args, layer);
            return y;
          };
          // Only observes: eval-mode fusion (conv + BN + activation in one kernel) goes on as without the profiler.
          return Object.assign(wrapped, { [OBSERVING_FORWARD]: true });
        }),
      );
    }
  } catch (err) {
    for (const r of restores.reverse()) r();
    throw err;
  }
  return () => {
    for (const r of restores.reverse()) r();
  };
}

/** `tensor.backward()` runs in phase 'backward' (gradient seeding and accumulation outside any tagged node). */
function instrumentBackward(p: Profiler): Restore {
  return shadow(Tensor.prototype, ['backward'], (_, original) =>
    function (this: unknown, ...args: unknown[]) {
      return p.within(null, 'backward', () => original.apply(this, args));
    },
  );
}

/**
 * Runs `fn` once under the profiler. Resolves to `fn`'s value, the time per (kernel, layer, phase) and the backend's
 * memory peak. Profiling adds a little overhead per kernel call; time the same work without it for speed figures.
 * Calls do not nest. Example:
 *
 *   const p = await profile(async () => { const y = noGrad(() => model.forward(x)); await y.data(); y.dispose(); }, { model });
 *   console.log(formatProfile(p));
 */
export async function profile<T>(fn: () => T | PromiseLike<T>, options: ProfileOptions = {}): Promise<Profile<T>> {
  const s = state();
  if (s.active) throw new CnnError('profile: a profile is already running (profile calls do not nest)');
  const p = new Profiler(options.backend ?? getBackend());
  const restores: Restore[] = [];
  s.active = p;
  try {
    restores.push(instrumentBackend(p));
    if (options.model) restores.push(instrumentModules(p, options.model));
    restores.push(instrumentBackward(p));
    const t0 = performance.now();
    const value = await fn();
    const wallMs = performance.now() - t0;
    p.closed = true;
    p.memory.endBytes = p.backend.memory().numBytes;
    const records = [...p.table.values()];
    const kernelMs = records.reduce((a, r) => a + r.ms, 0);
    return { value, records, wallMs, kernelMs, memory: { ...p.memory }, backend: p.backend.name };
  } finally {
    p.closed = true;
    s.active = null;
    for (const r of restores.reverse()) r();
    p.untag();
  }
}
