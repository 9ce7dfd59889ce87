import type { ResourceLimits } from './platform.js';

/** Backend options: `configureWorkers({ threads, simd })` before `setBackend('workers')`, or environment variables. */
export interface WorkersOptions {
  /** Worker threads in the pool. Default: the number of cores (`navigator.hardwareConcurrency` /
   * `os.availableParallelism()`), or env CNN_WORKERS_THREADS. */
  threads?: number;
  /** Use the WebAssembly SIMD kernels (default: when the engine supports them; env CNN_WORKERS_SIMD=0 turns them off).
   * `false` runs the plain-JavaScript kernels on the workers. */
  simd?: boolean;
  /** With `simd`: use the relaxed-SIMD build of the kernels (a fused multiply-add in the GEMM micro-kernel, about
   * 1.5–2× the plain build's GEMM speed on x86 with FMA). Default: when the engine has relaxed SIMD — Chromium does;
   * Node 20 only when started with `--experimental-wasm-relaxed-simd`. `true` where the engine lacks it is an error;
   * env CNN_WORKERS_RELAXED_SIMD=0 turns it off. */
  relaxedSimd?: boolean;
  /** Kernels estimated below this many multiply-adds run on the calling thread instead (default 200 000; 0 sends
   * every parallel kernel to the pool, as the conformance tests do; env CNN_WORKERS_INLINE_BELOW). */
  inlineBelow?: number;
  /** Node only: heap limits for each worker (worker_threads ResourceLimits); ignored in browsers. */
  resourceLimits?: ResourceLimits;
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

/** CNN_WORKERS_THREADS when it is a positive integer (the platform's core count is the default otherwise). */
export function threadsFromEnv(): number | undefined {
  const fromEnv = Number(env('CNN_WORKERS_THREADS'));
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
}

export function simdFromEnv(): boolean | undefined {
  const v = env('CNN_WORKERS_SIMD');
  if (v === undefined || v === '') return undefined;
  return !(v === '0' || v.toLowerCase() === 'false' || v.toLowerCase() === 'off');
}

export function relaxedSimdFromEnv(): boolean | undefined {
  const v = env('CNN_WORKERS_RELAXED_SIMD');
  if (v === undefined || v === '') return undefined;
  return !(v === '0' || v.toLowerCase() === 'false' || v.toLowerCase() === 'off');
}

export function inlineFromEnv(): number | undefined {
  const v = Number(env('CNN_WORKERS_INLINE_BELOW'));
  return env('CNN_WORKERS_INLINE_BELOW') !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
}
