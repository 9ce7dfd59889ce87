/**
 * Default timed runs and warm-ups per (workload, engine): 7 runs after 2 warm-ups where a run takes well under a
 * second, fewer where it takes seconds (the main-thread `cpu` backend and the two WebGL engines on a software
 * renderer training MNIST), so a full page run stays within a few minutes on a 2-core machine. `runs` / `warmup`
 * in the query string override every pair.
 */
import type { BrowserEngine, BrowserWorkload } from '../../../../tools/bench/src/browser.js';

export interface RunCounts {
  runs: number;
  warmup: number;
}

const FAST: RunCounts = { runs: 7, warmup: 2 };
const SLOW: RunCounts = { runs: 3, warmup: 1 };

const DEFAULTS: Record<BrowserWorkload, Record<BrowserEngine, RunCounts>> = {
  'w1-fwd': { cpu: FAST, workers: FAST, gpu: { runs: 5, warmup: 2 }, 'tfjs-webgl': { runs: 5, warmup: 2 }, 'tfjs-wasm': FAST },
  'mnist-step': { cpu: SLOW, workers: FAST, gpu: SLOW, 'tfjs-webgl': SLOW, 'tfjs-wasm': SLOW },
};

export function defaultCounts(workload: BrowserWorkload, engine: BrowserEngine): RunCounts {
  return DEFAULTS[workload][engine];
}
