/**
 * What the browser bench page (apps/web/bench.html) publishes as `window.__benchResults` when it sets
 * `document.body.dataset.benchDone = 'true'`; `pnpm bench --browser` reads it back. Types only.
 */

/** The six engines the page runs: our three backends, two TensorFlow.js 4.22 backends and ONNX Runtime Web 1.30. */
export const BROWSER_ENGINES = ['cpu', 'workers', 'gpu', 'tfjs-webgl', 'tfjs-wasm', 'ort-web'] as const;
export type BrowserEngine = (typeof BROWSER_ENGINES)[number];

/** The workloads the page runs (definitions: ./workloads). resnet18-train is left out: minutes per step in a page. */
export const BROWSER_WORKLOADS = ['w1-fwd', 'mnist-step', 'resnet18-infer', 'mobilenet-infer'] as const;
export type BrowserWorkload = (typeof BROWSER_WORKLOADS)[number];

/** What runs when nothing is named: the two quick workloads (a whole-model run is asked for by name). */
export const DEFAULT_BROWSER_WORKLOADS: readonly BrowserWorkload[] = ['w1-fwd', 'mnist-step'];

/** Whole-model inference workloads: ONNX Runtime Web runs these (from ONNX files of the same architectures). */
export const MODEL_WORKLOADS: readonly BrowserWorkload[] = ['resnet18-infer', 'mobilenet-infer'];

/** The ONNX file of each model workload (as anchors/torch_bench.py exports them), served under `onnx/` beside
 * bench.html by `pnpm bench --browser`. */
export const ONNX_FILES: Partial<Record<BrowserWorkload, string>> = {
  'resnet18-infer': 'resnet18.onnx',
  'mobilenet-infer': 'mobilenet-v1.onnx',
};

export interface BrowserBenchRow {
  workload: BrowserWorkload;
  backend: BrowserEngine;
  /** 'ok': timed; 'unsupported': the engine cannot run it (reason says why); 'skipped': it could, but something it
   * needs is missing or it was not asked for (reason says which: no ONNX file, cpu on a whole model); 'error': it
   * threw (reason: the message). Only 'error' fails a run. */
  status: 'ok' | 'unsupported' | 'skipped' | 'error';
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
  /** With the page's `profile=1` diagnostic, our backends: one more, untimed run under core's `profile` — its wall
   * time and the time spent in kernels (on workers: the time the tasks ran in the workers). */
  profiledWallMs?: number;
  profiledKernelMs?: number;
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
