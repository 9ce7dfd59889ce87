/**
 * What the engine's safety net (see engine.ts) needs from the JavaScript host, found at run time so that core's browser
 * bundle imports nothing from Node:
 * - `requestCollection()`: a full garbage collection, where the host lets a library ask for one. V8 cannot be told
 *   about memory it does not own (GPU textures, worker memory), so it would collect unreachable tensors only when its
 *   own heap grows; the engine asks instead once tensor memory has grown by a threshold. In Node the collector is
 *   reached as jest's leak detector does: `v8.setFlagsFromString('--expose-gc')` then `vm.runInNewContext('gc')`, the flag
 *   switched back off at once (modules come through `process.getBuiltinModule`, Node ≥ 20.16, never an `import`). With
 *   `--expose-gc` the global `gc` is used. Browsers expose none: there the net runs when the browser collects.
 * - `macrotask()`: FinalizationRegistry callbacks run as tasks, never between microtasks, so a loop whose only
 *   `await` is on an already-resolved promise (the cpu backend's reads) would starve them; `Tensor.data()` yields one
 *   task turn after the engine requested a collection.
 */

type Gc = () => void;
interface NodeLike {
  getBuiltinModule?: (id: string) => unknown;
}
interface HostGlobals {
  gc?: unknown;
  process?: NodeLike;
  setImmediate?: (fn: () => void) => unknown;
  MessageChannel?: typeof MessageChannel;
}

let cached: Gc | null | undefined;

/** The host's full-collection function, or null where none can be had (browsers). Looked up once. */
export function collector(): Gc | null {
  if (cached !== undefined) return cached;
  cached = null;
  const g = globalThis as HostGlobals;
  if (typeof g.gc === 'function') {
    cached = g.gc as Gc;
    return cached;
  }
  try {
    const load = g.process?.getBuiltinModule;
    if (typeof load !== 'function') return cached;
    // Bare ids ('v8' rather than the prefixed form): a run-time lookup through `process`, never an import, so a
    // browser bundle of core names no Node module (backend-workers' browser-bundle test checks for that).
    const v8 = load.call(g.process, 'v8') as { setFlagsFromString(flags: string): void } | undefined;
    const vm = load.call(g.process, 'vm') as { runInNewContext(code: string): unknown } | undefined;
    if (!v8 || !vm) return cached;
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc');
    v8.setFlagsFromString('--no-expose-gc'); // contexts made later (the user's, vm's) see no `gc`
    if (typeof fn === 'function') cached = fn as Gc;
  } catch {
    cached = null; // a sandboxed host: the net then runs when the host collects
  }
  return cached;
}

/** Asks for a full collection; false where the host offers none. */
export function requestCollection(): boolean {
  const gc = collector();
  if (!gc) return false;
  gc();
  return true;
}

/** Resolves after one task turn (not a microtask): long enough for pending finalization callbacks to run. */
export function macrotask(): Promise<void> {
  const g = globalThis as HostGlobals;
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else if (typeof g.MessageChannel === 'function') {
      const ch = new g.MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    } else setTimeout(resolve, 0);
  });
}
