/**
 * The worker pool, on either platform (platform-node.ts: worker_threads; platform-browser.ts: module Web Workers).
 * `create` resolves once every worker has answered `init` with `ready`, so a worker that cannot start (a worker module
 * the bundler did not emit, a page without cross-origin isolation) rejects `setBackend` with the cause instead of
 * failing later. A part of a kernel is one message; a worker replies when its part is done. A worker that dies (exit,
 * out-of-memory, uncaught error) fails the parts it held and is replaced at once; a replacement that cannot start
 * marks the pool broken (every later run rejects with the cause) rather than being retried in a loop.
 * Idle workers are unref'd in Node, so an idle pool never keeps the process alive.
 */
import type { Platform, ResourceLimits, WorkerHandle } from './platform.js';
import type { Fault, WorkerReply, WorkerRequest } from './worker/entry.js';

export interface PoolOptions {
  threads: number;
  simd: boolean;
  relaxedSimd: boolean;
  /** Node only: worker heap limits (worker_threads ResourceLimits). */
  resourceLimits?: ResourceLimits;
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
  /** Settles when the worker answers `init` (resolves) or dies before that (rejects). */
  started: Promise<void>;
  ready: boolean;
}

export class WorkerPool {
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  /** Set when a replacement worker could not start: every later run fails with it. */
  private broken: Error | null = null;

  private constructor(private readonly opts: PoolOptions, private readonly platform: Platform) {
    this.threads = opts.threads;
    for (let i = 0; i < opts.threads; i++) this.slots.push(this.spawn(i));
  }

  /** Starts `opts.threads` workers and waits until each has started; rejects (and stops them all) if one cannot. */
  static async create(opts: PoolOptions, platform: Platform): Promise<WorkerPool> {
    platform.assertSupported();
    const pool = new WorkerPool(opts, platform);
    try {
      await Promise.all(pool.slots.map((s) => s.started));
    } catch (err) {
      pool.terminate();
      throw new Error(`workers backend: a worker could not start (${(err as Error).message}); ${platform.startHelp}.`, { cause: err });
    }
    return pool;
  }

  /** Runs one message per part (part i on worker i mod threads); resolves when all are done, rejects with the first
   * failure once every part has settled (so no part still writes into memory the caller may reuse). */
  async run(kernel: string, args: unknown, parts: unknown[], fault?: Fault): Promise<void> {
    if (this.closed) throw new Error('the backend was disposed');
    if (this.broken) throw this.broken;
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
  }

  private onReply(slot: Slot, msg: WorkerReply, markStarted: () => void): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      markStarted();
      if (slot.pending.size === 0) slot.handle.setRef(false);
      return;
    }
    if (msg.type === 'exit') {
      this.onDeath(slot, `exited with code ${msg.code}`);
      return;
    }
    const p = slot.pending.get(msg.id);
    if (!p) return;
    slot.pending.delete(msg.id);
    if (slot.pending.size === 0) slot.handle.setRef(false);
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve();
  }

  private onDeath(slot: Slot, cause: string, failStart?: (err: Error) => void): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.handle.terminate();
    if (!slot.ready) {
      const err = new Error(`worker ${slot.index} died: ${cause}`);
      this.failAll(slot, err);
      // It never started: replacing it would most likely fail the same way, over and over.
      failStart?.(err);
      this.broken ??= new Error(`workers backend: worker ${slot.index} could not be started: ${cause}; ${this.platform.startHelp}.`);
      return;
    }
    // The backend prefixes "kernel '<name>' failed: ", so the whole message names the backend, the worker, the kernel
    // and the cause. Only the parts this worker held fail; the other workers' parts have settled or will settle.
    this.failAll(
      slot,
      new Error(
        `worker ${slot.index} died while running it (${cause}). The pool has replaced the worker, so later operations work; ` +
          'this result and everything computed from it (e.g. parameters updated in the same training step) are invalid: reload them from a checkpoint',
      ),
    );
    if (!this.closed) this.slots[slot.index] = this.spawn(slot.index);
  }

  /** Test hook (internal, not exported by the package): terminates worker `index` from outside, as if the thread had
   * been killed, without telling the pool first; the pool must notice through the platform's death event. */
  killWorkerForTesting(index: number): void {
    this.slots[index % this.slots.length].handle.terminate();
  }

  private failAll(slot: Slot, err: Error): void {
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    slot.handle.setRef(false);
    for (const p of pending) p.reject(err);
  }

  private spawn(index: number): Slot {
    let markStarted!: () => void;
    let failStart!: (err: Error) => void;
    const started = new Promise<void>((resolve, reject) => {
      markStarted = resolve;
      failStart = reject;
    });
    // A replacement's start is not awaited by anyone; its failure is reported through `broken` instead.
    started.catch(() => {});
    const slot: Slot = { index, handle: null as unknown as WorkerHandle, pending: new Map(), dead: false, started, ready: false };
    slot.handle = this.platform.spawn(
      { index, resourceLimits: this.opts.resourceLimits },
      { onReply: (m) => this.onReply(slot, m, markStarted), onDeath: (cause) => this.onDeath(slot, cause, failStart) },
    );
    // Referenced until it answers `init`, so Node does not exit while the pool is starting.
    slot.handle.setRef(true);
    slot.handle.post({ type: 'init', simd: this.opts.simd, relaxedSimd: this.opts.relaxedSimd, index });
    return slot;
  }
}
