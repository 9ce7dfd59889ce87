/**
 * What the browser bench page (apps/web/bench.html) publishes as `window.__benchResults` when it sets
 * `document.body.dataset.benchDone = 'true'`; `pnpm bench --browser` reads it back. Types only.
 */

/** The five engines the page runs: our three backends and two TensorFlow.js 4.22 backends. */
export const BROWSER_ENGINES = ['cpu', 'workers', 'gpu', 'tfjs-webgl', 'tfjs-wasm'] as const;
export type BrowserEngine = (typeof BROWSER_ENGINES)[number];

/** The workloads the page runs (definitions: ./workloads). */
export const BROWSER_WORKLOADS = ['w1-fwd', 'mnist-step'] as const;
export type BrowserWorkload = (typeof BROWSER_WORKLOADS)[number];

export interface BrowserBenchRow {
  workload: BrowserWorkload;
  backend: BrowserEngine;
  /** 'ok': timed; 'unsupported': the engine cannot run it (reason says why); 'error': it threw (reason: the message). */
  status: 'ok' | 'unsupported' | 'error';
  reason?: string;
  warmup: number;
  runs: number;
  medianMs?: number;
  minMs?: number;
  runsMs?: number[];
  /** Direct-convolution flop count over the median (see tools/bench/README.md). */
  gflops?: number;
  imagesPerSec?: number;
  /** W1 forward: max |output − cpu's output| over all elements, and whether it is within `tolerance`. */
  maxAbsErr?: number;
  tolerance?: number;
  agrees?: boolean;
}

export interface BrowserBenchResults {
  /** ISO time the run finished. */
  date: string;
  userAgent: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  /** What each engine reported when started (threads, SIMD, WebGL renderer…). */
  engines: Partial<Record<BrowserEngine, string>>;
  rows: BrowserBenchRow[];
  /** Set instead of rows when the page could not run at all (bad query string, failed import). */
  error?: string;
}

declare global {
  interface Window {
    /** Set by apps/web/bench.html when a run ends (see BrowserBenchResults). */
    __benchResults?: BrowserBenchResults;
  }
}
