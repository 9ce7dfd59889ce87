/**
 * @cnn/backend-workers: importing this package registers
 * - 'workers' (priority 0, so 'cpu' stays the default): a pool of worker threads on SharedArrayBuffer memory, with
 *   WebAssembly SIMD kernels where the engine has them;
 * - 'workers-nosimd' (priority -1): the same pool running the plain-JavaScript kernels.
 * Options: `configureWorkers({ threads, simd })` before `setBackend('workers')`, or CNN_WORKERS_THREADS /
 * CNN_WORKERS_SIMD / CNN_WORKERS_INLINE_BELOW in Node.
 */
import { registerBackend } from '@cnn/core';
import { WorkersBackend, type ResolvedWorkersOptions } from './backend.js';
import { configureWorkers, configuredOptions, defaultThreads, inlineFromEnv, simdFromEnv, type WorkersOptions } from './options.js';
import { simdSupported } from './wasm/loader.js';

/** Starts a backend with explicit options (also what the registered factories do). */
export async function createWorkersBackend(opts: WorkersOptions = {}, name = 'workers'): Promise<WorkersBackend> {
  const o = { ...configuredOptions(), ...opts };
  const wantSimd = o.simd ?? simdFromEnv() ?? true;
  const resolved: ResolvedWorkersOptions = {
    threads: Math.max(1, Math.floor(o.threads ?? (await defaultThreads()))),
    simd: wantSimd && simdSupported(),
    inlineBelow: o.inlineBelow ?? inlineFromEnv() ?? 200_000,
    resourceLimits: o.resourceLimits,
  };
  return WorkersBackend.create(name, resolved);
}

registerBackend('workers', () => createWorkersBackend({}, 'workers'), 0);
registerBackend('workers-nosimd', () => createWorkersBackend({ simd: false }, 'workers-nosimd'), -1);

export { WorkersBackend, configureWorkers, simdSupported };
export type { WorkersOptions };
