/** Backend options: `configureWorkers({ threads, simd })` before `setBackend('workers')`, or environment variables. */
export interface WorkersOptions {
  /** Worker threads in the pool. Default: the number of cores (`navigator.hardwareConcurrency` /
   * `os.availableParallelism()`), or env CNN_WORKERS_THREADS. */
  threads?: number;
  /** Use the WebAssembly SIMD kernels (default: when the engine supports them; env CNN_WORKERS_SIMD=0 turns them off).
   * `false` runs the plain-JavaScript kernels on the workers. */
  simd?: boolean;
  /** Kernels estimated below this many multiply-adds run on the calling thread instead (default 200 000; 0 sends
   * every parallel kernel to the pool, as the conformance tests do; env CNN_WORKERS_INLINE_BELOW). */
  inlineBelow?: number;
  /** Node only: heap limits for each worker (worker_threads ResourceLimits). */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; stackSizeMb?: number };
}

let configured: WorkersOptions = {};

/** Sets the options used by the next `setBackend('workers')` (an existing instance keeps its own: dispose it first). */
export function configureWorkers(opts: WorkersOptions): void {
  configured = { ...configured, ...opts };
}

export function configuredOptions(): WorkersOptions {
  return { ...configured };
}

function env(name: string): string | undefined {
  return typeof process !== 'undefined' ? process.env?.[name] : undefined;
}

export async function defaultThreads(): Promise<number> {
  const fromEnv = Number(env('CNN_WORKERS_THREADS'));
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  try {
    const os = await import('node:os');
    return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  } catch {
    return 2;
  }
}

export function simdFromEnv(): boolean | undefined {
  const v = env('CNN_WORKERS_SIMD');
  if (v === undefined || v === '') return undefined;
  return !(v === '0' || v.toLowerCase() === 'false' || v.toLowerCase() === 'off');
}

export function inlineFromEnv(): number | undefined {
  const v = Number(env('CNN_WORKERS_INLINE_BELOW'));
  return env('CNN_WORKERS_INLINE_BELOW') !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
}
