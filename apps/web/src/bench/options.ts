/**
 * What to run: engines, workloads, runs and warm-ups, from the page's query string
 * (`bench.html?backends=cpu,workers&workloads=w1-fwd&runs=5&warmup=1`) or its form. Bad values throw a message naming
 * the parameter, the value and what is allowed, before anything runs.
 *
 * Three diagnostics (to compare configurations, not for users): `workersThreads` (the workers backend's pool size;
 * default: the core count), `relaxedSimd` (0 or 1: its relaxed-SIMD kernels; default: when the engine has them) and
 * `profile=1` (one more run of each pair on our backends under core's `profile`: wall time vs time in kernels).
 */
import {
  BROWSER_ENGINES, BROWSER_WORKLOADS, DEFAULT_BROWSER_WORKLOADS, type BrowserEngine, type BrowserWorkload,
} from '../../../../tools/bench/src/browser.js';

export interface BenchOptions {
  backends: BrowserEngine[];
  /** Whether `backends` was named (query string or form) rather than the default: cpu runs whole models only then. */
  backendsGiven: boolean;
  workloads: BrowserWorkload[];
  /** Timed runs per (engine, workload); null: each engine's default (see defaults.ts). */
  runs: number | null;
  /** Untimed warm-up runs; null: each engine's default. */
  warmup: number | null;
  /** Diagnostic: the workers backend's thread count (null: its default). */
  workersThreads: number | null;
  /** Diagnostic: the workers backend's relaxed-SIMD kernels on or off (null: its default). */
  relaxedSimd: boolean | null;
  /** Diagnostic: one more run of each pair on our backends under core's `profile` (wall vs kernel time). */
  profile: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  backends: [...BROWSER_ENGINES], backendsGiven: false, workloads: [...DEFAULT_BROWSER_WORKLOADS], runs: null, warmup: null,
  workersThreads: null, relaxedSimd: null, profile: false,
};

const KNOWN_PARAMS = ['backends', 'workloads', 'runs', 'warmup', 'workersThreads', 'relaxedSimd', 'profile'];

function list<T extends string>(param: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error(`bench page: '${param}' is empty; allowed: ${allowed.join(', ')}`);
  for (const v of items) {
    if (!(allowed as readonly string[]).includes(v)) throw new Error(`bench page: '${param}' has unknown value '${v}'; allowed: ${allowed.join(', ')}`);
  }
  // Keep the canonical order (ours first, then tfjs, then ONNX Runtime; forward before training) whatever order the URL lists.
  return allowed.filter((a) => items.includes(a));
}

function count(param: string, raw: string, min: number, max = 1000): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`bench page: '${param}' must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

/** Parses a query string; throws on unknown parameters or values. */
export function parseOptions(search: string): BenchOptions {
  const q = new URLSearchParams(search);
  for (const key of q.keys()) {
    if (!KNOWN_PARAMS.includes(key)) throw new Error(`bench page: unknown query parameter '${key}'; known: ${KNOWN_PARAMS.join(', ')}`);
  }
  const o: BenchOptions = { ...DEFAULT_OPTIONS };
  const b = q.get('backends');
  const w = q.get('workloads');
  const r = q.get('runs');
  const u = q.get('warmup');
  const t = q.get('workersThreads');
  const x = q.get('relaxedSimd');
  if (b !== null) {
    o.backends = list('backends', b, BROWSER_ENGINES);
    o.backendsGiven = true;
  }
  if (w !== null) o.workloads = list('workloads', w, BROWSER_WORKLOADS);
  if (r !== null) o.runs = count('runs', r, 1);
  if (u !== null) o.warmup = count('warmup', u, 0);
  if (t !== null) o.workersThreads = count('workersThreads', t, 1, 64);
  if (x !== null) o.relaxedSimd = count('relaxedSimd', x, 0, 1) === 1;
  const pr = q.get('profile');
  if (pr !== null) o.profile = count('profile', pr, 0, 1) === 1;
  return o;
}

/** The query string that reproduces `o` (defaults left out). */
export function formatOptions(o: BenchOptions): string {
  const q = new URLSearchParams();
  if (o.backendsGiven) q.set('backends', o.backends.join(','));
  q.set('workloads', o.workloads.join(','));
  if (o.runs !== null) q.set('runs', String(o.runs));
  if (o.warmup !== null) q.set('warmup', String(o.warmup));
  if (o.workersThreads !== null) q.set('workersThreads', String(o.workersThreads));
  if (o.relaxedSimd !== null) q.set('relaxedSimd', o.relaxedSimd ? '1' : '0');
  if (o.profile) q.set('profile', '1');
  return q.toString().replace(/%2C/g, ',');
}
