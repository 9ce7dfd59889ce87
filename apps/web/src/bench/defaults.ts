/**
 * Default timed runs and warm-ups per (workload, engine): 7 runs after 2 warm-ups where a run takes well under a
 * second, fewer where it takes seconds (the main-thread `cpu` backend and the two WebGL engines on a software
 * renderer training MNIST; cpu and gpu on whole models), so a full page run stays within a few minutes on a 2-core
 * machine. Pairs that never run (tfjs and the models, ort-web and the single conv) still have an entry: the table
 * shows it. `runs` / `warmup` in the query string override every pair.
 */
import type { BrowserEngine, BrowserWorkload } from '../../../../tools/bench/src/browser.js';

export interface RunCounts {
  runs: number;
  warmup: number;
}

const FAST: RunCounts = { runs: 7, warmup: 2 };
const SLOW: RunCounts = { runs: 3, warmup: 1 };

const MODEL: Record<BrowserEngine, RunCounts> = { cpu: SLOW, workers: FAST, gpu: SLOW, 'tfjs-webgl': SLOW, 'tfjs-wasm': FAST, 'ort-web': FAST };

const DEFAULTS: Record<BrowserWorkload, Record<BrowserEngine, RunCounts>> = {
  'w1-fwd': { cpu: FAST, workers: FAST, gpu: { runs: 5, warmup: 2 }, 'tfjs-webgl': { runs: 5, warmup: 2 }, 'tfjs-wasm': FAST, 'ort-web': FAST },
  'mnist-step': { cpu: SLOW, workers: FAST, gpu: SLOW, 'tfjs-webgl': SLOW, 'tfjs-wasm': SLOW, 'ort-web': SLOW },
  'resnet18-infer': MODEL,
  'mobilenet-infer': MODEL,
};

export function defaultCounts(workload: BrowserWorkload, engine: BrowserEngine): RunCounts {
  return DEFAULTS[workload][engine];
}
