/**
 * The worker's host in a browser Web Worker: what the Node pool's prelude sets up with `parentPort`, here on the
 * worker's global scope. Imported by browser-worker.ts before entry.ts, so it runs first (imports evaluate in order).
 */
import type { Host } from './entry.js';

/** The parts of DedicatedWorkerGlobalScope used here (the package compiles against the DOM lib, not WebWorker). */
interface WorkerScope {
  postMessage(msg: unknown): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;

const host: Host = {
  post: (m) => scope.postMessage(m),
  onMessage: (fn) => scope.addEventListener('message', (e) => fn(e.data)),
  // close() ends the worker silently; tell the pool first, as Node's 'exit' event does.
  exit: (code) => {
    scope.postMessage({ type: 'exit', code });
    scope.close();
  },
};

(globalThis as { __cnnHost?: Host }).__cnnHost = host;
