/**
 * @cnn/backend-workers (Node entry; browsers get index.browser.ts through the `browser` export condition): importing
 * this package registers
 * - 'workers' (priority 0, so 'cpu' stays the default): a pool of worker threads on SharedArrayBuffer memory, with
 *   WebAssembly SIMD kernels where the engine has them;
 * - 'workers-nosimd' (priority -1): the same pool running the plain-JavaScript kernels.
 * Options: `configureWorkers({ threads, simd })` before `setBackend('workers')`, or CNN_WORKERS_THREADS /
 * CNN_WORKERS_SIMD / CNN_WORKERS_INLINE_BELOW in Node.
 */
import { WorkersBackend } from './backend.js';
import { configureWorkers, type WorkersOptions } from './options.js';
import { nodePlatform } from './platform-node.js';
import { registerWorkersBackends, type CreateWorkersBackend } from './register.js';
import { simdSupported } from './wasm/loader.js';

/** Starts a backend with explicit options (also what the registered factories do). */
export const createWorkersBackend: CreateWorkersBackend = registerWorkersBackends(nodePlatform);

export { WorkersBackend, configureWorkers, simdSupported };
export type { WorkersOptions, CreateWorkersBackend };
