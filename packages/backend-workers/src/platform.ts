/**
 * What the pool needs from the platform it runs on. Node (worker_threads, platform-node.ts) and browsers (module Web
 * Workers, platform-browser.ts) each implement it; the package's two entries (index.ts, index.browser.ts) pick one,
 * so a browser bundle never contains a reference to a Node built-in and the pool itself has one implementation.
 */
import type { WorkerReply, WorkerRequest } from './worker/entry.js';

/** Node only: worker heap limits (worker_threads ResourceLimits). */
export interface ResourceLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  stackSizeMb?: number;
}

/** One started worker, whichever kind. */
export interface WorkerHandle {
  post(msg: WorkerRequest): void;
  terminate(): void;
  /** Node: whether the worker keeps the event loop alive (browsers: no-op). */
  setRef(on: boolean): void;
}

/** What a started worker reports back to the pool. `onDeath` is called at most once per worker that stops. */
export interface WorkerEvents {
  onReply(msg: WorkerReply): void;
  onDeath(cause: string): void;
}

export interface SpawnOptions {
  index: number;
  resourceLimits?: ResourceLimits;
}

export interface Platform {
  /** 'node' or 'browser', for messages. */
  readonly name: string;
  /** Throws, saying what to change, when this environment cannot run the pool (no workers, no shared memory). */
  assertSupported(): void;
  /** The default number of workers: the number of logical cores. */
  defaultThreads(): number;
  spawn(opts: SpawnOptions, events: WorkerEvents): WorkerHandle;
  /** Added to the error when a worker cannot start (what to check on this platform). */
  readonly startHelp: string;
}
