/**
 * The worker pool. Node: `worker_threads` started from the bundled worker source (eval), unref'd while idle so an
 * idle pool never keeps the process alive. Browsers: Web Workers from a Blob URL of the same source (the page must be
 * cross-origin isolated for SharedArrayBuffer). A part of a kernel is one message; a worker replies when its part is
 * done. A worker that dies (exit, out-of-memory, uncaught error) fails the parts it held and is replaced at once.
 */
import { WORKER_SOURCE } from './generated/worker-source.js';
import type { Fault, WorkerReply, WorkerRequest } from './worker/entry.js';

export interface PoolOptions {
  threads: number;
  simd: boolean;
  /** Node only: worker heap limits (worker_threads ResourceLimits). */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
}

/** What the pool needs from a worker, in either environment. */
interface WorkerHandle {
  post(msg: WorkerRequest): void;
  terminate(): void;
  /** Node: whether the worker keeps the event loop alive. */
  setRef(on: boolean): void;
}

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

interface Slot {
  index: number;
  handle: WorkerHandle;
  pending: Map<number, Pending>;
  dead: boolean;
}

type NodeWorkerCtor = typeof import('node:worker_threads').Worker;

const NODE_PRELUDE = `const { parentPort } = require('node:worker_threads');
globalThis.__cnnHost = {
  post: (m) => parentPort.postMessage(m),
  onMessage: (f) => parentPort.on('message', f),
  exit: (c) => process.exit(c),
};
`;

export class WorkerPool {
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private blobUrl: string | null = null;

  private constructor(private readonly opts: PoolOptions, private readonly NodeWorker: NodeWorkerCtor | null) {
    this.threads = opts.threads;
    for (let i = 0; i < opts.threads; i++) this.slots.push(this.spawn(i));
  }

  static async create(opts: PoolOptions): Promise<WorkerPool> {
    const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
    let NodeWorker: NodeWorkerCtor | null = null;
    if (isNode) NodeWorker = (await import('node:worker_threads')).Worker;
    else if (typeof Worker === 'undefined') throw new Error('workers backend: this environment has no Web Workers');
    return new WorkerPool(opts, NodeWorker);
  }

  /** Runs one message per part (part i on worker i mod threads); resolves when all are done, rejects with the first
   * failure once every part has settled (so no part still writes into memory the caller may reuse). */
  async run(kernel: string, args: unknown, parts: unknown[], fault?: Fault): Promise<void> {
    if (this.closed) throw new Error('the backend was disposed');
    const promises = parts.map((part, i) => {
      const slot = this.slots[i % this.slots.length];
      const id = this.nextId++;
      return new Promise<void>((resolve, reject) => {
        if (slot.pending.size === 0) slot.handle.setRef(true);
        slot.pending.set(id, { resolve, reject });
        const msg: WorkerRequest = { type: 'run', id, kernel: kernel as never, args, part, ...(fault && i === 0 ? { fault } : {}) };
        try {
          slot.handle.post(msg);
        } catch (err) {
          slot.pending.delete(id);
          reject(err as Error);
        }
      });
    });
    const results = await Promise.allSettled(promises);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  terminate(): void {
    this.closed = true;
    for (const slot of this.slots) {
      slot.dead = true;
      this.failAll(slot, new Error('the backend was disposed'));
      slot.handle.terminate();
    }
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
  }

  private onReply(slot: Slot, msg: WorkerReply): void {
    const p = slot.pending.get(msg.id);
    if (!p) return;
    slot.pending.delete(msg.id);
    if (slot.pending.size === 0) slot.handle.setRef(false);
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve();
  }

  private onDeath(slot: Slot, cause: string): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.handle.terminate();
    this.failAll(slot, new Error(`worker ${slot.index} died: ${cause}`));
    if (!this.closed) this.slots[slot.index] = this.spawn(slot.index);
  }

  private failAll(slot: Slot, err: Error): void {
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    slot.handle.setRef(false);
    for (const p of pending) p.reject(err);
  }

  private spawn(index: number): Slot {
    const slot: Slot = { index, handle: null as unknown as WorkerHandle, pending: new Map(), dead: false };
    slot.handle = this.NodeWorker ? this.spawnNode(slot) : this.spawnBrowser(slot);
    slot.handle.setRef(false);
    slot.handle.post({ type: 'init', simd: this.opts.simd, index });
    return slot;
  }

  private spawnNode(slot: Slot): WorkerHandle {
    const w = new this.NodeWorker!(NODE_PRELUDE + WORKER_SOURCE, {
      eval: true,
      name: `cnn-worker-${slot.index}`,
      ...(this.opts.resourceLimits ? { resourceLimits: this.opts.resourceLimits } : {}),
    });
    w.on('message', (m: WorkerReply) => this.onReply(slot, m));
    w.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.onDeath(slot, oom ? `out of memory (${err.message})` : `uncaught error: ${err.message}`);
    });
    w.on('exit', (code: number) => this.onDeath(slot, `exited with code ${code}`));
    return {
      post: (m) => w.postMessage(m),
      terminate: () => void w.terminate(),
      setRef: (on) => (on ? w.ref() : w.unref()),
    };
  }

  private spawnBrowser(slot: Slot): WorkerHandle {
    this.blobUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const w = new Worker(this.blobUrl, { name: `cnn-worker-${slot.index}` });
    w.onmessage = (e: MessageEvent<WorkerReply>) => this.onReply(slot, e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.onDeath(slot, `uncaught error: ${e.message}`);
    };
    return { post: (m) => w.postMessage(m), terminate: () => w.terminate(), setRef: () => {} };
  }
}
