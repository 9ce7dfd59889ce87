/**
 * The pool in browsers (a page or a dedicated worker): module Web Workers started from
 * `new URL('./worker/browser-worker.js', import.meta.url)`. That exact pattern is what bundlers follow (Vite, webpack 5,
 * Parcel, Rollup/esbuild plugins): they emit the worker module with everything it imports and rewrite the URL. From
 * TypeScript sources Vite resolves the `.js` to `browser-worker.ts`; in dist/ tsup emits dist/worker/browser-worker.js
 * next to dist/index.browser.js, so the same relative URL works unbundled too.
 * Shared memory needs a cross-origin isolated page: refused up front, saying which headers to send.
 */
import type { WorkerReply } from './worker/entry.js';
import type { Platform, SpawnOptions, WorkerEvents, WorkerHandle } from './platform.js';

const ISOLATION_HELP =
  'Serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp ' +
  '(and any worker script with Cross-Origin-Embedder-Policy: require-corp), or use the cpu backend.';

function assertSupported(): void {
  if (typeof Worker === 'undefined') {
    throw new Error('workers backend: this environment has no Web Workers (a worklet or an old engine?); use the cpu backend.');
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false || typeof SharedArrayBuffer === 'undefined') {
    throw new Error(
      `workers backend: this page is not cross-origin isolated (crossOriginIsolated is ${String(isolated)}), so ` +
        `SharedArrayBuffer, which the workers share tensors through, is unavailable. ${ISOLATION_HELP}`,
    );
  }
}

function spawn({ index }: SpawnOptions, events: WorkerEvents): WorkerHandle {
  const w = new Worker(new URL('./worker/browser-worker.js', import.meta.url), { type: 'module', name: `cnn-worker-${index}` });
  w.onmessage = (e: MessageEvent<WorkerReply>) => events.onReply(e.data);
  w.onmessageerror = () => events.onDeath('a message could not be deserialised');
  // A module that fails to load (404, wrong MIME type, syntax error) gives a plain Event with no message.
  w.onerror = (e: Event) => {
    e.preventDefault();
    const message = (e as ErrorEvent).message;
    events.onDeath(message ? `uncaught error: ${message}` : 'the worker module failed to load');
  };
  // A terminated Web Worker fires no event (Node's fires 'exit'): report the death here, so that a worker terminated
  // while it holds parts fails them instead of leaving them pending forever (the pool ignores a second report).
  const terminate = (): void => {
    w.terminate();
    events.onDeath('terminated');
  };
  return { post: (m) => w.postMessage(m), terminate, setRef: () => {} };
}

export const browserPlatform: Platform = {
  name: 'browser',
  assertSupported,
  defaultThreads: () => (typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 2),
  spawn,
  startHelp:
    "the worker module is loaded from new URL('./worker/browser-worker.js', import.meta.url) next to this package's " +
    'browser entry: a bundler must emit it (Vite, webpack 5 and Parcel do; with others copy the self-contained ' +
    '@cnn/backend-workers/dist/worker/browser-worker.js to worker/browser-worker.js next to the bundle), and a ' +
    'cross-origin isolated page must serve it with Cross-Origin-Embedder-Policy: require-corp',
};
