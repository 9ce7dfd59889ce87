/**
 * pnpm bench --backend <name>[,<name>…] --workload <name>[,<name>…] [--runs N] [--warmup N] [--json]
 *            [--anchors] [--threads N] [--profile] [--top N] [--depth N]
 * pnpm bench --browser [--backend …] [--workload …] [--runs N] [--warmup N] [--json] [--no-build]  (see browser-mode/)
 *
 * Times each (backend, workload) pair: warm-up runs, then the median of the timed runs. Anchors (torch, onnxruntime)
 * time the workload in their own runtime and say 'not installed' where they are not. On our backends one more,
 * untimed run goes through core's `profile`, for the peak backend memory and, with --profile, the time per op type
 * and per layer. With --json, prints one JSON object per line (see README.md); otherwise tables.
 */
import { findBackend, formatProfile, byKernel, byLayer, profile, type Profile } from '@cnn/core';
import { ADAPTERS } from './backends/index.js';
import { WORKLOADS } from './workloads/index.js';
import { measure, type Timing } from './measure.js';
import { formatTable } from './table.js';
import type { BenchAdapter, Step, Workload } from './types.js';

const ANCHORS = ['torch', 'onnxruntime'];

interface Args {
  backends: string[];
  workloads: string[];
  runs: number | null;
  warmup: number | null;
  json: boolean;
  threads: number;
  profile: boolean;
  top: number;
  depth: number | undefined;
}

function usage(msg?: string): never {
  if (msg) console.error(`bench: ${msg}`);
  console.error(`usage: pnpm bench --backend <${Object.keys(ADAPTERS).join('|')}> --workload <${Object.keys(WORKLOADS).join('|')}>`);
  console.error('         [--runs N] [--warmup N] [--json] [--anchors] [--threads N] [--profile] [--top N] [--depth N]');
  console.error('       pnpm bench --browser [--backend …] [--workload …] [--runs N] [--warmup N] [--json] [--no-build] [--timeout S]');
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { backends: [], workloads: [], runs: null, warmup: null, json: false, threads: 2, profile: false, top: 15, depth: undefined };
  let anchors = false;
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
    else if (flag === '--anchors') anchors = true;
    else if (flag === '--threads') a.threads = Math.max(1, count(value()));
    else if (flag === '--profile') a.profile = true;
    else if (flag === '--top') a.top = Math.max(1, count(value()));
    else if (flag === '--depth') a.depth = count(value()) || undefined;
    else if (flag === '--help' || flag === '-h') usage();
    else if (flag !== '--') usage(`unknown argument '${flag}'`);
  }
  if (!a.backends.length) a.backends.push('cpu');
  if (anchors) for (const n of ANCHORS) if (!a.backends.includes(n)) a.backends.push(n);
  if (!a.workloads.length) usage('--workload is required');
  for (const b of a.backends) if (!ADAPTERS[b]) usage(`unknown backend '${b}'`);
  for (const w of a.workloads) if (!WORKLOADS[w]) usage(`unknown workload '${w}'`);
  return a;
}

async function build(adapter: BenchAdapter, w: Workload): Promise<Step> {
  if (w.kind === 'conv') return adapter.convStep(w.conv, w.backward);
  await adapter.load?.();
  return w.build(adapter.cnnBackendName!);
}

/** Runs and warm-ups for a pair: the flags, else the engine's defaults capped by the workload's. */
function counts(args: Args, adapter: BenchAdapter, w: Workload): { runs: number; warmup: number } {
  const cap = (n: number, max: number | undefined) => (max === undefined ? n : Math.min(n, max));
  return {
    runs: args.runs ?? cap(adapter.defaultRuns, w.kind === 'tensor-api' ? w.maxRuns : undefined),
    warmup: args.warmup ?? cap(adapter.defaultWarmup, w.kind === 'tensor-api' ? w.maxWarmup : undefined),
  };
}

type Outcome = { timing: Timing; note?: string; profile?: Profile<void> } | { skipped: string };

async function runPair(args: Args, adapter: BenchAdapter, w: Workload): Promise<Outcome> {
  const { runs, warmup } = counts(args, adapter, w);
  if (adapter.anchor) {
    const r = await adapter.anchor(w, { runs, warmup, threads: args.threads });
    return r.status === 'ok' ? { timing: r.timing, note: r.note } : { skipped: r.reason };
  }
  if (w.kind === 'tensor-api' && !adapter.cnnBackendName) return { skipped: `${adapter.name} runs the single-conv workloads only` };
  const step = await build(adapter, w);
  try {
    const timing = await measure(step, warmup, runs);
    if (!adapter.cnnBackendName) return { timing };
    // One more run, untimed, under the profiler: memory peak, and the per-op / per-layer tables for --profile.
    const backend = findBackend(adapter.cnnBackendName) ?? undefined;
    const p = await profile(() => step.run(), { model: step.model, backend });
    return { timing, profile: p };
  } finally {
    await step.dispose();
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // --browser: the same workloads in Chromium, through apps/web's bench page (./browser-mode/run.ts).
  if (argv.includes('--browser')) return (await import('./browser-mode/run.js')).runBrowserBench(argv.filter((a) => a !== '--browser'));
  // --memory-loop: live tensors and bytes over a long training loop with and without tidy (./memory-loop.ts).
  if (argv.includes('--memory-loop')) return (await import('./memory-loop.js')).runMemoryLoop(argv);
  const args = parseArgs(argv);
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const w of args.workloads) {
    const workload = WORKLOADS[w];
    for (const b of args.backends) {
      const out = await runPair(args, ADAPTERS[b], workload);
      if ('skipped' in out) {
        if (args.json) console.log(JSON.stringify({ workload: w, backend: b, status: 'skipped', reason: out.skipped }));
        else {
          rows.push([w, b, '—', '—', '—', '—', '—', '—']);
          notes.push(`${b} on ${w}: ${out.skipped}`);
        }
        continue;
      }
      const t = out.timing;
      const mem = out.profile?.memory;
      const result = {
        workload: w,
        backend: b,
        status: 'ok',
        medianMs: +t.medianMs.toFixed(2),
        gflops: +(workload.flops / (t.medianMs * 1e6)).toFixed(3),
        imagesPerSec: +(workload.images / (t.medianMs / 1000)).toFixed(2),
        ...(mem ? { peakBytes: mem.peakBytes, peakRunBytes: mem.peakBytes - mem.startBytes } : {}),
        ...(out.note ? { note: out.note } : {}),
      };
      if (args.json) {
        console.log(JSON.stringify(result));
        if (args.profile && out.profile) {
          const p = out.profile;
          console.log(JSON.stringify({
            workload: w, backend: b, profile: {
              wallMs: p.wallMs, kernelMs: p.kernelMs, memory: p.memory,
              byKernel: byKernel(p.records), byLayer: byLayer(p.records, { depth: args.depth }), records: p.records,
            },
          }));
        }
      } else {
        rows.push([w, b, result.medianMs.toFixed(1), t.minMs.toFixed(1), result.gflops.toFixed(2), result.imagesPerSec.toFixed(2),
          mem ? `${mib(mem.peakBytes - mem.startBytes)} / ${mib(mem.peakBytes)}` : '—', String(t.runsMs.length)]);
        if (out.note) notes.push(`${b} on ${w}: ${out.note}`);
        if (args.profile && out.profile) console.log(`== profile: ${w} on ${b} (one run)\n${formatProfile(out.profile, { top: args.top, depth: args.depth })}\n`);
      }
    }
  }
  if (!args.json) {
    console.log(formatTable(['workload', 'backend', 'median ms', 'min ms', 'GFLOP/s', 'images/s', 'peak MiB (run / all)', 'runs'], rows));
    for (const n of notes) console.log(`  ${n}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
