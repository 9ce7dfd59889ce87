/**
 * pnpm bench --backend <name>[,<name>…] --workload <name>[,<name>…] [--runs N] [--warmup N] [--json]
 * pnpm bench --browser [--backend …] [--workload …] [--runs N] [--warmup N] [--json] [--no-build]  (see browser-mode/)
 *
 * Times each (backend, workload) pair: warm-up runs, then the median of the timed runs. With --json, prints one JSON
 * object per line: { workload, backend, medianMs, gflops, imagesPerSec }; otherwise a table.
 */
import { ADAPTERS } from './backends/index.js';
import { WORKLOADS } from './workloads/index.js';
import { measure } from './measure.js';
import { formatTable } from './table.js';
import type { BenchAdapter, Step, Workload } from './types.js';

interface Args {
  backends: string[];
  workloads: string[];
  runs: number | null;
  warmup: number | null;
  json: boolean;
}

function usage(msg?: string): never {
  if (msg) console.error(`bench: ${msg}`);
  console.error(`usage: pnpm bench --backend <${Object.keys(ADAPTERS).join('|')}> --workload <${Object.keys(WORKLOADS).join('|')}> [--runs N] [--warmup N] [--json]`);
  console.error('       pnpm bench --browser [--backend …] [--workload …] [--runs N] [--warmup N] [--json] [--no-build] [--timeout S]');
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { backends: [], workloads: [], runs: null, warmup: null, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? usage(`${flag} needs a value`);
    const count = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) usage(`${flag} must be a non-negative integer, got '${v}'`);
      return n;
    };
    if (flag === '--backend') a.backends.push(...value().split(','));
    else if (flag === '--workload') a.workloads.push(...value().split(','));
    else if (flag === '--runs') a.runs = Math.max(1, count(value()));
    else if (flag === '--warmup') a.warmup = count(value());
    else if (flag === '--json') a.json = true;
    else if (flag === '--help' || flag === '-h') usage();
    else if (flag !== '--') usage(`unknown argument '${flag}'`);
  }
  if (!a.backends.length) a.backends.push('cpu');
  if (!a.workloads.length) usage('--workload is required');
  for (const b of a.backends) if (!ADAPTERS[b]) usage(`unknown backend '${b}'`);
  for (const w of a.workloads) if (!WORKLOADS[w]) usage(`unknown workload '${w}'`);
  return a;
}

async function build(adapter: BenchAdapter, w: Workload): Promise<Step> {
  if (w.kind === 'conv') return adapter.convStep(w.conv, w.backward);
  if (!adapter.cnnBackendName) throw new Error(`backend '${adapter.name}' cannot run tensor-API workload '${w.name}'`);
  await adapter.load?.();
  return w.build(adapter.cnnBackendName);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // --browser: the same workloads in Chromium, through apps/web's bench page (./browser-mode/run.ts).
  if (argv.includes('--browser')) return (await import('./browser-mode/run.js')).runBrowserBench(argv.filter((a) => a !== '--browser'));
  const args = parseArgs(argv);
  const rows: string[][] = [];
  for (const w of args.workloads) {
    const workload = WORKLOADS[w];
    for (const b of args.backends) {
      const adapter = ADAPTERS[b];
      const step = await build(adapter, workload);
      const t = await measure(step, args.warmup ?? adapter.defaultWarmup, args.runs ?? adapter.defaultRuns);
      await step.dispose();
      const result = {
        workload: w,
        backend: b,
        medianMs: +t.medianMs.toFixed(2),
        gflops: +(workload.flops / (t.medianMs * 1e6)).toFixed(3),
        imagesPerSec: +(workload.images / (t.medianMs / 1000)).toFixed(1),
      };
      if (args.json) console.log(JSON.stringify(result));
      else rows.push([w, b, result.medianMs.toFixed(1), t.minMs.toFixed(1), result.gflops.toFixed(2), result.imagesPerSec.toFixed(1), String(t.runsMs.length)]);
    }
  }
  if (!args.json) console.log(formatTable(['workload', 'backend', 'median ms', 'min ms', 'GFLOP/s', 'images/s', 'runs'], rows));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
