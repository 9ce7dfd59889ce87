/**
 * What to run: engines, workloads, runs and warm-ups, from the page's query string
 * (`bench.html?backends=cpu,workers&workloads=w1-fwd&runs=5&warmup=1`) or its form. Bad values throw a message naming
 * the parameter, the value and what is allowed, before anything runs.
 */
import { BROWSER_ENGINES, BROWSER_WORKLOADS, type BrowserEngine, type BrowserWorkload } from '../../../../tools/bench/src/browser.js';

export interface BenchOptions {
  backends: BrowserEngine[];
  workloads: BrowserWorkload[];
  /** Timed runs per (engine, workload); null: each engine's default (see defaults.ts). */
  runs: number | null;
  /** Untimed warm-up runs; null: each engine's default. */
  warmup: number | null;
}

export const DEFAULT_OPTIONS: BenchOptions = { backends: [...BROWSER_ENGINES], workloads: [...BROWSER_WORKLOADS], runs: null, warmup: null };

const KNOWN_PARAMS = ['backends', 'workloads', 'runs', 'warmup'];

function list<T extends string>(param: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error(`bench page: '${param}' is empty; allowed: ${allowed.join(', ')}`);
  for (const v of items) {
    if (!(allowed as readonly string[]).includes(v)) throw new Error(`bench page: '${param}' has unknown value '${v}'; allowed: ${allowed.join(', ')}`);
  }
  // Keep the canonical order (ours first, then tfjs; forward before training) whatever order the URL lists.
  return allowed.filter((a) => items.includes(a));
}

function count(param: string, raw: string, min: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > 1000) {
    throw new Error(`bench page: '${param}' must be an integer from ${min} to 1000, got '${raw}'`);
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
  if (b !== null) o.backends = list('backends', b, BROWSER_ENGINES);
  if (w !== null) o.workloads = list('workloads', w, BROWSER_WORKLOADS);
  if (r !== null) o.runs = count('runs', r, 1);
  if (u !== null) o.warmup = count('warmup', u, 0);
  return o;
}

/** The query string that reproduces `o` (defaults left out). */
export function formatOptions(o: BenchOptions): string {
  const q = new URLSearchParams();
  q.set('backends', o.backends.join(','));
  q.set('workloads', o.workloads.join(','));
  if (o.runs !== null) q.set('runs', String(o.runs));
  if (o.warmup !== null) q.set('warmup', String(o.warmup));
  return q.toString().replace(/%2C/g, ',');
}
