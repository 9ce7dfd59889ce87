#!/usr/bin/env node
/**
 * pnpm conformance --backend <name> [--suite fixtures|kernels|all] [--cases <file.json> ...] [--module <specifier>]
 *   [--filter <substring>] [--seed <n>] [--verbose]
 * Prints one line per failing case and ends with `N passed, M failed`; exit code 0 iff M = 0.
 */
import { isAbsolute, resolve } from 'node:path';
import { disposeBackend, getBackend, type Backend } from '@cnn/core';
import { fixtureFiles, loadConformanceFile } from './fixtures.js';
import { DEFAULT_KERNEL_SEED, runKernelSuite } from './kernels/run.js';
import { kernelReferenceFor, releaseKernelReference } from './kernels/reference-for.js';
import { knownBackendNames, loadBackend } from './load-backend.js';
import { formatFailure, runCase } from './runner.js';
import { loadSpecialValueCases, runSpecialValueCase } from './special-values.js';

const SUITES = ['fixtures', 'kernels', 'all'] as const;
type Suite = (typeof SUITES)[number];

function usage(backends: string[]): string {
  return `usage: pnpm conformance --backend <name> [--suite fixtures|kernels|all] [--cases <file.json> ...] [--module <specifier>] [--filter <text>] [--seed <n>] [--verbose]
  --backend  a registered backend name${backends.length ? `: ${backends.join(', ')} (the list in @cnn/backends)` : ''}
  --suite    fixtures (default): the PyTorch fixtures, op by op through the public API, with gradients;
             kernels: every contract kernel on random geometries against a reference (cpu; for cpu itself, the
             kernels' definitions), then PyTorch's special values (NaN, ±inf, ties, empty tensors); all: both
  --cases    a cnn-conformance/1 file (repeatable; relative to the directory the command was started in);
             default: the project's PyTorch fixtures
  --module   package or path that registers the backend, when @cnn/backends does not list it
  --filter   only cases whose name contains this text
  --seed     the kernel suite's seed (default ${DEFAULT_KERNEL_SEED}; failing case names carry [k<index>] to rerun one)
  --verbose  also list passing cases`;
}

interface Args {
  backend?: string;
  suite: Suite;
  cases: string[];
  module?: string;
  filter?: string;
  seed: number;
  verbose: boolean;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { suite: 'fixtures', cases: [], seed: DEFAULT_KERNEL_SEED, verbose: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--backend') args.backend = value();
    else if (a === '--suite') {
      const s = value();
      if (!(SUITES as readonly string[]).includes(s)) throw new Error(`--suite must be one of ${SUITES.join(', ')}, got '${s}'`);
      args.suite = s as Suite;
    } else if (a === '--cases') args.cases.push(value());
    else if (a === '--module') args.module = value();
    else if (a === '--filter') args.filter = value();
    else if (a === '--seed') {
      const s = value();
      args.seed = Number(s);
      if (!Number.isInteger(args.seed) || args.seed < 0) throw new Error(`--seed must be an integer ≥ 0, got '${s}'`);
    } else if (a === '--verbose') args.verbose = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--') continue;
    else throw new Error(`unknown argument '${a}'`);
  }
  return args;
}

interface Tally {
  passed: number;
  failed: number;
}

function report(tally: Tally, name: string, passed: boolean, failure: string, verbose: boolean): void {
  if (passed) {
    tally.passed++;
    if (verbose) console.log(`ok   ${name}`);
  } else {
    tally.failed++;
    console.log(failure);
  }
}

async function runFixtures(files: string[], args: Args): Promise<Tally> {
  const tally: Tally = { passed: 0, failed: 0 };
  for (const file of files) {
    let cases;
    try {
      cases = loadConformanceFile(file).cases;
    } catch (err) {
      console.log(`FAIL ${file}: ${(err as Error).message}`);
      tally.failed++;
      continue;
    }
    for (const c of cases) {
      if (args.filter && !String(c.name).includes(args.filter)) continue;
      const r = await runCase(c);
      report(tally, r.name, r.passed, formatFailure(r), args.verbose);
    }
  }
  return tally;
}

/** The kernel cases against `reference`, then the special-value cases (on the active backend). */
async function runKernels(reference: Backend, args: Args): Promise<Tally> {
  const tally: Tally = { passed: 0, failed: 0 };
  await runKernelSuite(getBackend(), reference, {
    seed: args.seed,
    filter: args.filter,
    onResult: (r) => report(tally, `${r.name} (${r.ms.toFixed(0)} ms)`, r.passed, `FAIL ${r.name}: ${r.message}`, args.verbose),
  });
  for (const c of loadSpecialValueCases()) {
    if (args.filter && !c.name.includes(args.filter)) continue;
    const r = await runSpecialValueCase(c);
    report(tally, `special value ${r.name}`, r.passed, formatFailure(r), args.verbose);
  }
  return tally;
}

async function timed(label: string, run: () => Promise<Tally>): Promise<Tally> {
  const start = performance.now();
  const t = await run();
  console.log(`${label}: ${t.passed} passed, ${t.failed} failed (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return t;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(usage(await knownBackendNames()));
      return 0;
    }
    if (!args.backend) throw new Error('--backend is required');
  } catch (err) {
    console.error(`conformance: ${(err as Error).message}\n${usage(await knownBackendNames())}`);
    return 2;
  }
  const backend = args.backend;
  // pnpm runs root scripts from the workspace root; INIT_CWD is where the user typed the command.
  const startDir = process.env.INIT_CWD ?? process.cwd();
  const files = args.cases.length ? args.cases.map((f) => (isAbsolute(f) ? f : resolve(startDir, f))) : fixtureFiles();
  let reference: Backend | null = null;
  try {
    // The reference first: starting cpu activates it, and the backend under test must be the active one.
    if (args.suite !== 'fixtures') reference = await kernelReferenceFor(backend);
    await loadBackend(backend, args.module);
  } catch (err) {
    console.error(`conformance: ${(err as Error).message}`);
    return 2;
  }
  const info = getBackend().info();
  console.log(`backend ${backend} (${Object.entries(info).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  const tallies: Tally[] = [];
  if (args.suite !== 'kernels') tallies.push(await timed('fixtures', () => runFixtures(files, args)));
  if (reference) {
    const ref = reference;
    console.log(`kernel suite: seed ${args.seed}, reference: ${ref.name}`);
    tallies.push(await timed('kernels', () => runKernels(ref, args)));
  }
  await disposeBackend(backend);
  if (reference) await releaseKernelReference(reference);
  const passed = tallies.reduce((a, t) => a + t.passed, 0);
  const failed = tallies.reduce((a, t) => a + t.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`conformance: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
