/**
 * The worker side of the pool: one copy per worker thread (Node worker_threads or a browser Web Worker). It answers
 * `init` with `ready` (so the pool knows the worker started), then runs one part of a parallel kernel per message,
 * writing into the shared output, and replies `done` (with `error` if the kernel threw). It talks to its parent through
 * globalThis.__cnnHost, set up before this module runs: in Node by the prelude platform-node.ts puts before
 * src/generated/worker-source.ts (this file bundled by scripts/generate.mjs), in browsers by browser-host.ts, which
 * browser-worker.ts imports first.
 */
import { PARALLEL_KERNELS, type ParallelKernelName } from '../kernels/index.js';
import type { RunContext } from '../kernels/types.js';
import { loadSimdKernels } from '../wasm/loader.js';

/** How the worker talks to its parent. */
export interface Host {
  post(msg: unknown): void;
  onMessage(fn: (msg: WorkerRequest) => void): void;
  exit(code: number): void;
}

/** Test-only faults (backend.injectFaultForTesting): a kernel error, `process.exit` / `close()`, heap exhaustion, an
 * error thrown outside any handler (kills a Node worker, fires `error` on a browser Worker), and a part that never
 * finishes (a stuck worker, for killing from outside). */
export type Fault = 'throw' | 'exit' | 'oom' | 'uncaught' | 'hang';

export type WorkerRequest =
  | { type: 'init'; simd: boolean; relaxedSimd: boolean; index: number }
  | { type: 'run'; id: number; kernel: ParallelKernelName; args: unknown; part: unknown; fault?: Fault };

/** `ready` answers `init`; `exit` is sent by a browser worker that ends itself (Node reports exits as events). */
export type WorkerReply = { type: 'done'; id: number; error?: string } | { type: 'ready' } | { type: 'exit'; code: number };

const installed = (globalThis as { __cnnHost?: Host }).__cnnHost;
if (!installed) throw new Error('cnn worker: globalThis.__cnnHost is not set; start this worker through @cnn/backend-workers');
const host: Host = installed;

const ctx: RunContext = { simd: null };
let initError: string | null = null;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Returns true when the part must not run (the worker is going down and will never answer it). */
function injectFault(kind: Fault): boolean {
  if (kind === 'throw') throw new Error('injected fault');
  if (kind === 'uncaught') {
    setTimeout(() => {
      throw new Error('injected uncaught error');
    });
    return true;
  }
  if (kind === 'hang') for (;;);
  if (kind === 'exit') host.exit(7);
  if (kind === 'oom') {
    const hog: number[][] = [];
    for (;;) hog.push(new Array(1 << 20).fill(hog.length + 0.5));
  }
  return kind === 'exit';
}

host.onMessage((msg) => {
  if (msg.type === 'init') {
    try {
      if (msg.simd) ctx.simd = loadSimdKernels(msg.relaxedSimd);
    } catch (err) {
      initError = `cannot load the WebAssembly SIMD kernels: ${describe(err)}`;
    }
    host.post({ type: 'ready' } satisfies WorkerReply);
    return;
  }
  try {
    if (initError) throw new Error(initError);
    if (msg.fault && injectFault(msg.fault)) return;
    PARALLEL_KERNELS[msg.kernel].run(msg.args, msg.part, ctx);
    host.post({ type: 'done', id: msg.id } satisfies WorkerReply);
  } catch (err) {
    host.post({ type: 'done', id: msg.id, error: describe(err) } satisfies WorkerReply);
  }
});
