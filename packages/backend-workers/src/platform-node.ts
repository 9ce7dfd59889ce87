/**
 * The pool on Node: `worker_threads` started from the bundled worker source (src/generated/worker-source.ts, eval'd),
 * so no worker file has to be resolvable at run time, whatever bundles or copies this package. A short prelude gives
 * the worker its host (globalThis.__cnnHost: post / onMessage / exit) before the bundle runs.
 */
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './generated/worker-source.js';
import type { WorkerReply } from './worker/entry.js';
import type { Platform, SpawnOptions, WorkerEvents, WorkerHandle } from './platform.js';

const NODE_PRELUDE = `const { parentPort } = require('node:worker_threads');
globalThis.__cnnHost = {
  post: (m) => parentPort.postMessage(m),
  onMessage: (f) => parentPort.on('message', f),
  exit: (c) => process.exit(c),
};
`;

function spawn({ index, resourceLimits }: SpawnOptions, events: WorkerEvents): WorkerHandle {
  const w = new Worker(NODE_PRELUDE + WORKER_SOURCE, {
    eval: true,
    name: `cnn-worker-${index}`,
    ...(resourceLimits ? { resourceLimits } : {}),
  });
  w.on('message', (m: WorkerReply) => events.onReply(m));
  w.on('error', (err: Error & { code?: string }) => {
    const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
    events.onDeath(oom ? `out of memory: ${err.message}` : `uncaught error: ${err.message}`);
  });
  w.on('exit', (code: number) => events.onDeath(`exited with code ${code}`));
  return {
    post: (m) => w.postMessage(m),
    terminate: () => void w.terminate(),
    setRef: (on) => (on ? w.ref() : w.unref()),
  };
}

export const nodePlatform: Platform = {
  name: 'node',
  assertSupported() {
    // worker_threads is always there on Node >= 20; SharedArrayBuffer only goes missing when V8 flags remove it.
    if (typeof SharedArrayBuffer === 'undefined') throw new Error('workers backend: SharedArrayBuffer is unavailable in this Node process (disabled by a V8 flag?); use the cpu backend.');
  },
  defaultThreads: () => (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length),
  spawn,
  startHelp: 'check the worker heap limits (resourceLimits) and that the process may start threads',
};
