import type { Step } from './types.js';

export interface Timing {
  medianMs: number;
  minMs: number;
  runsMs: number[];
}

/**
 * Warm-up runs (JIT tiers, scratch buffers, caches), then `runs` timed runs; reports the median. `pause`, when given,
 * is awaited before every run outside the timed span (the browser page yields to its event loop there, so the page
 * repaints and stays responsive between runs). Browser-safe.
 */
export async function measure(step: Step, warmup: number, runs: number, pause?: () => Promise<void>): Promise<Timing> {
  for (let i = 0; i < warmup; i++) {
    await pause?.();
    await step.run();
  }
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    await pause?.();
    const t0 = performance.now();
    await step.run();
    runsMs.push(performance.now() - t0);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { medianMs, minMs: sorted[0], runsMs };
}
