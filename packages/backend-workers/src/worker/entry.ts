/**
 * The worker side of the pool: one copy per worker thread (Node worker_threads or a browser Web Worker). It runs one
 * part of a parallel kernel per message, writing into the shared output, and replies `done` (with `error` if the
 * kernel threw). This file is bundled, with the kernels and the wasm bytes, into src/generated/worker-source.ts by
 * scripts/generate.mjs; the pool starts workers from that string, so no worker file has to be resolvable at run time.
 */
import { PARALLEL_KERNELS, type ParallelKernelName } from '../kernels/index.js';
import type { RunContext } from '../kernels/types.js';
import { loadSimdKernels } from '../wasm/loader.js';

/** How the worker talks to its parent; Node's pool defines it before this code runs, browsers use `self`. */
interface Host {
  post(msg: unknown): void;
  onMessage(fn: (msg: WorkerRequest) => void): void;
  exit(code: number): void;
}

export type Fault = 'throw' | 'exit' | 'oom';

export type WorkerRequest =
  | { type: 'init'; simd: boolean; index: number }
  | { type: 'run'; id: number; kernel: ParallelKernelName; args: unknown; part: unknown; fault?: Fault };

export interface WorkerReply {
  type: 'done';
  id: number;
  error?: string;
}

declare const __cnnHost: Host | undefined;
declare const self: { postMessage(m: unknown): void; onmessage: ((e: { data: WorkerRequest }) => void) | null; close(): void };

const host: Host =
  typeof __cnnHost !== 'undefined'
    ? __cnnHost
    : {
        post: (m) => self.postMessage(m),
        onMessage: (fn) => {
          self.onmessage = (e) => fn(e.data);
        },
        exit: () => self.close(),
      };

const ctx: RunContext = { simd: null };
let initError: string | null = null;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function injectFault(kind: Fault): void {
  if (kind === 'throw') throw new Error('injected fault');
  if (kind === 'exit') host.exit(7);
  if (kind === 'oom') {
    const hog: number[][] = [];
    for (;;) hog.push(new Array(1 << 20).fill(hog.length + 0.5));
  }
}

host.onMessage((msg) => {
  if (msg.type === 'init') {
    try {
      if (msg.simd) ctx.simd = loadSimdKernels();
    } catch (err) {
      initError = `cannot load the WebAssembly SIMD kernels: ${describe(err)}`;
    }
    return;
  }
  try {
    if (initError) throw new Error(initError);
    if (msg.fault) injectFault(msg.fault);
    PARALLEL_KERNELS[msg.kernel].run(msg.args, msg.part, ctx);
    host.post({ type: 'done', id: msg.id } satisfies WorkerReply);
  } catch (err) {
    host.post({ type: 'done', id: msg.id, error: describe(err) } satisfies WorkerReply);
  }
});
