/**
 * Runs the selected (workload, engine) pairs one after another and reports each row as it finishes. Timing is
 * tools/bench's `measure` (warm-ups, then the median of the timed runs), with a yield to the event loop before every
 * run, outside the timed span, so the page repaints between runs. For W1 forward, each engine's output is first
 * compared with the cpu backend's (computed once, whether or not cpu is among the engines timed).
 *
 * Rows that cannot run are reported, not failed: 'unsupported' when the engine lacks what the workload needs (known
 * before it starts, or asked after), 'skipped' when it could run but something is missing (ort-web without its ONNX
 * file) or it was not asked for (cpu on a whole model — tens of seconds a run — unless `backends` names it).
 */
import { findBackend, profile } from '@cnn/core';
import {
  MODEL_WORKLOADS, maxAbs, maxAbsDiff, measure, mnistStep, mobilenetInfer, resnet18Infer, w1Fwd,
  type BrowserBenchResults, type BrowserBenchRow, type BrowserEngine, type BrowserWorkload,
} from '../../../../tools/bench/src/browser.js';
import { defaultCounts } from './defaults.js';
import { ENGINES, setWorkersDiagnostics } from './engines.js';
import type { BenchOptions } from './options.js';
import { SkipRow } from './skip.js';

/** Flops and images per workload: the same definitions as `pnpm bench`. */
const WORKLOAD_SIZE: Record<BrowserWorkload, { flops: number; images: number }> = {
  'w1-fwd': { flops: w1Fwd.flops, images: w1Fwd.images },
  'mnist-step': { flops: mnistStep.flops, images: mnistStep.images },
  'resnet18-infer': { flops: resnet18Infer.flops, images: resnet18Infer.images },
  'mobilenet-infer': { flops: mobilenetInfer.flops, images: mobilenetInfer.images },
};

/** Why a pair is not run although it could be, or null. */
function notAsked(o: BenchOptions, workload: BrowserWorkload, backend: BrowserEngine): string | null {
  if (backend === 'cpu' && MODEL_WORKLOADS.includes(workload) && !o.backendsGiven) {
    return 'cpu takes tens of seconds per whole-model run: name it to run it (backends=cpu,… / --backend cpu,…)';
  }
  return null;
}

/** Float32 sums of 288 products in a different order (Winograd, GPU, XNNPACK) differ by ~1e-6 of the output's
 * scale; 1e-4 of it still catches any wrong index or missing term (those err by a whole product, ~1e-1 or more). */
const RELATIVE_TOLERANCE = 1e-4;

export interface RunCallbacks {
  onRow(row: BrowserBenchRow): void;
  onProgress(message: string): void;
}

const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** An engine that never becomes ready (a stuck worker, a lost WebGL context) must not hang the page: the row fails
 * with this after the limit and the run goes on (the stuck work itself cannot be cancelled). */
const START_LIMIT_MS = 120_000;
const ROW_LIMIT_MS = 600_000;

function withLimit<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runBench(o: BenchOptions, cb: RunCallbacks): Promise<BrowserBenchResults> {
  setWorkersDiagnostics({ threads: o.workersThreads, relaxedSimd: o.relaxedSimd });
  const engines: BrowserBenchResults['engines'] = {};
  const started = new Map<BrowserEngine, Promise<string>>();
  const start = (name: BrowserEngine): Promise<string> => {
    let p = started.get(name);
    if (!p) {
      p = withLimit(ENGINES[name].start(), START_LIMIT_MS, `starting ${name}`);
      p.then((note) => { engines[name] = note; }, (err: unknown) => { engines[name] = `failed to start: ${message(err)}`; });
      started.set(name, p);
    }
    return p;
  };
  const rows: BrowserBenchRow[] = [];

  for (const workload of o.workloads) {
    let reference: Float32Array | null = null;
    if (workload === 'w1-fwd') {
      cb.onProgress('W1 forward: computing the cpu reference output…');
      await start('cpu');
      const ref = await ENGINES.cpu.step('w1-fwd');
      try {
        reference = ref.output ? await ref.output() : null;
      } finally {
        await ref.dispose();
      }
    }
    for (const backend of o.backends) {
      const counts = defaultCounts(workload, backend);
      const row: BrowserBenchRow = { workload, backend, status: 'ok', warmup: o.warmup ?? counts.warmup, runs: o.runs ?? counts.runs };
      const never = ENGINES[backend].cannotRun(workload);
      const skip = never ? null : notAsked(o, workload, backend);
      if (never || skip) {
        row.status = never ? 'unsupported' : 'skipped';
        row.reason = never ?? skip ?? '';
        rows.push(row);
        cb.onRow(row);
        continue;
      }
      cb.onProgress(`${workload} on ${backend}: ${row.warmup} warm-up + ${row.runs} timed runs…`);
      await yieldToPage();
      try {
        await start(backend);
        const why = await ENGINES[backend].unsupported(workload);
        if (why) {
          row.status = 'unsupported';
          row.reason = why;
        } else {
          await withLimit(timeRow(row, workload, backend, reference, o.profile), ROW_LIMIT_MS, `${workload} on ${backend}`);
        }
      } catch (err) {
        row.status = err instanceof SkipRow ? 'skipped' : 'error';
        row.reason = message(err);
      }
      rows.push(row);
      cb.onRow(row);
    }
  }
  return {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    engines,
    rows,
  };
}

const OUR_BACKENDS: readonly BrowserEngine[] = ['cpu', 'workers', 'gpu'];

async function timeRow(
  row: BrowserBenchRow, workload: BrowserWorkload, backend: BrowserEngine, reference: Float32Array | null, profiled: boolean,
): Promise<void> {
  const step = await ENGINES[backend].step(workload);
  try {
    if (reference && step.output) {
      const out = await step.output();
      row.maxAbsErr = maxAbsDiff(out, reference);
      row.tolerance = RELATIVE_TOLERANCE * maxAbs(reference);
      row.agrees = row.maxAbsErr <= row.tolerance;
    }
    const t = await measure(step, row.warmup, row.runs, yieldToPage);
    const size = WORKLOAD_SIZE[workload];
    row.medianMs = round(t.medianMs, 2);
    row.minMs = round(t.minMs, 2);
    row.runsMs = t.runsMs.map((ms) => round(ms, 2));
    row.gflops = round(size.flops / (t.medianMs * 1e6), 3);
    row.imagesPerSec = round(size.images / (t.medianMs / 1000), 1);
    if (profiled && OUR_BACKENDS.includes(backend)) {
      const p = await profile(() => step.run(), { model: step.model, backend: findBackend(backend) ?? undefined });
      row.profiledWallMs = round(p.wallMs, 2);
      row.profiledKernelMs = round(p.kernelMs, 2);
    }
  } finally {
    await step.dispose();
  }
}

function round(v: number, digits: number): number {
  return +v.toFixed(digits);
}
