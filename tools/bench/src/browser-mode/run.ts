/**
 * pnpm bench --browser [--backend <engines>] [--workload <workloads>] [--runs N] [--warmup N] [--json]
 *                      [--no-build] [--timeout S] [--chromium PATH] [--js-flags=F] [--workers-threads N] [--relaxed-simd 0|1]
 *                      [--profile]
 *
 * Builds apps/web (vite build; `--no-build` uses an existing apps/web/dist), serves dist with the COOP/COEP headers
 * (./static-server.ts) and the ONNX files of ort-web's models at `onnx/` (exported first with PyTorch when missing,
 * ./onnx-files.ts), opens bench.html in Debian's Chromium through playwright-core (headless, software WebGL),
 * waits for `document.body.dataset.benchDone`, and prints `window.__benchResults` as a table and the medians side by
 * side, or with --json one object per line. Progress goes to stderr. Exit code 1 when a row failed or a W1 output
 * disagrees with cpu's (unsupported and skipped rows are not failures).
 * Defaults: every engine, w1-fwd and mnist-step, each engine's own run counts (apps/web/src/bench/defaults.ts); the
 * page runs cpu on a whole model only when --backend names it. `--js-flags`, `--workers-threads`, `--relaxed-simd`
 * and `--profile` are diagnostics (V8 flags for Chromium; the workers backend's pool size and kernel build; one more
 * run under core's profiler, whose wall and kernel ms go in the JSON rows and the table's note).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import {
  BROWSER_ENGINES, BROWSER_WORKLOADS, DEFAULT_BROWSER_WORKLOADS, ONNX_FILES,
  type BrowserBenchResults, type BrowserBenchRow, type BrowserWorkload,
} from '../browser-results.js';
import { formatTable } from '../table.js';
import { ONNX_DIR, ensureOnnxFiles } from './onnx-files.js';
import { serveStatic } from './static-server.js';

const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../apps/web');

/** The shared flags for Debian's Chromium on a headless machine (no GPU: WebGL runs on SwiftShader, in software). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

interface BrowserArgs {
  backends: string[];
  workloads: string[];
  runs: number | null;
  warmup: number | null;
  json: boolean;
  build: boolean;
  timeoutS: number;
  chromium: string;
  /** Diagnostic: V8 flags passed to Chromium as --js-flags. */
  jsFlags: string | null;
  workersThreads: number | null;
  relaxedSimd: 0 | 1 | null;
  profile: boolean;
}

function usage(msg: string): never {
  console.error(`bench --browser: ${msg}`);
  console.error(`usage: pnpm bench --browser [--backend <${BROWSER_ENGINES.join('|')}>[,…]] [--workload <${BROWSER_WORKLOADS.join('|')}>[,…]]`);
  console.error('                            [--runs N] [--warmup N] [--json] [--no-build] [--timeout SECONDS] [--chromium PATH]');
  console.error('                            [--js-flags=V8_FLAGS] [--workers-threads N] [--relaxed-simd 0|1] [--profile]   (diagnostics)');
  process.exit(2);
}

function parseArgs(argv: string[]): BrowserArgs {
  const a: BrowserArgs = {
    backends: [], workloads: [], runs: null, warmup: null, json: false, build: true, timeoutS: 1200,
    chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', jsFlags: null, workersThreads: null, relaxedSimd: null,
    profile: false,
  };
  for (let i = 0; i < argv.length; i++) {
    // `--flag value` or `--flag=value` (the only way to pass a value that starts with '--', as --js-flags' do).
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const flag = eq > 0 ? argv[i].slice(0, eq) : argv[i];
    const inline = eq > 0 ? argv[i].slice(eq + 1) : null;
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    const count = (v: string, min: number, max = 1000) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) usage(`${flag} must be an integer from ${min} to ${max}, got '${v}'`);
      return n;
    };
    if (flag === '--backend') a.backends.push(...value().split(','));
    else if (flag === '--workload') a.workloads.push(...value().split(','));
    else if (flag === '--runs') a.runs = count(value(), 1);
    else if (flag === '--warmup') a.warmup = count(value(), 0);
    else if (flag === '--json') a.json = true;
    else if (flag === '--no-build') a.build = false;
    else if (flag === '--timeout') a.timeoutS = count(value(), 1, 86_400);
    else if (flag === '--chromium') a.chromium = value();
    else if (flag === '--js-flags') a.jsFlags = value();
    else if (flag === '--workers-threads') a.workersThreads = count(value(), 1, 64);
    else if (flag === '--relaxed-simd') a.relaxedSimd = count(value(), 0, 1) as 0 | 1;
    else if (flag === '--profile') a.profile = true;
    else if (flag !== '--') usage(`unknown argument '${flag}'`);
  }
  for (const b of a.backends) if (!(BROWSER_ENGINES as readonly string[]).includes(b)) usage(`unknown backend '${b}' (the page runs ${BROWSER_ENGINES.join(', ')})`);
  for (const w of a.workloads) if (!(BROWSER_WORKLOADS as readonly string[]).includes(w)) usage(`unknown workload '${w}' (the page runs ${BROWSER_WORKLOADS.join(', ')})`);
  if (!existsSync(a.chromium)) usage(`no Chromium at ${a.chromium} (install Debian's chromium, or pass --chromium PATH / set CHROMIUM_PATH)`);
  return a;
}

/** `vite build` in apps/web, its output on stderr so stdout stays the results. */
function buildWebApp(): Promise<void> {
  const vite = join(WEB_DIR, 'node_modules', '.bin', 'vite');
  if (!existsSync(vite)) throw new Error(`bench --browser: ${vite} is missing; run pnpm install first`);
  console.error('bench --browser: building apps/web (vite build)…');
  return new Promise((ok, fail) => {
    const child = spawn(vite, ['build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`bench --browser: vite build exited with ${code}`))));
  });
}

/** The page's query string; engines and workloads only when named (the page's defaults otherwise: it runs cpu on a
 * whole model only when `backends` names it). */
function query(a: BrowserArgs): string {
  const q = new URLSearchParams();
  if (a.backends.length) q.set('backends', a.backends.join(','));
  q.set('workloads', (a.workloads.length ? a.workloads : DEFAULT_BROWSER_WORKLOADS).join(','));
  if (a.runs !== null) q.set('runs', String(a.runs));
  if (a.warmup !== null) q.set('warmup', String(a.warmup));
  if (a.workersThreads !== null) q.set('workersThreads', String(a.workersThreads));
  if (a.relaxedSimd !== null) q.set('relaxedSimd', String(a.relaxedSimd));
  if (a.profile) q.set('profile', '1');
  return q.toString().replace(/%2C/g, ',');
}

/** Loads bench.html, relays its status line to stderr while it runs, and returns its results. */
async function runPage(a: BrowserArgs, origin: string): Promise<{ results: BrowserBenchResults; browserVersion: string }> {
  const profile = await mkdtemp(join(tmpdir(), 'cnn-bench-chromium-'));
  const args = a.jsFlags ? [...CHROMIUM_ARGS, `--js-flags=${a.jsFlags}`] : CHROMIUM_ARGS;
  const context = await chromium.launchPersistentContext(profile, { executablePath: a.chromium, headless: true, args });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => console.error(`bench page error: ${err.message}`));
    // Errors and warnings, less the software renderer's "GPU stall due to ReadPixels" performance notes.
    page.on('console', (m) => {
      if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('GL Driver Message')) console.error(`bench page ${m.type()}: ${m.text()}`);
    });
    const url = `${origin}/bench.html?${query(a)}`;
    console.error(`bench --browser: ${url}`);
    await page.goto(url);
    let last = '';
    const relay = setInterval(() => {
      page.locator('.status').textContent({ timeout: 1000 }).then((t) => {
        if (t && t !== last) console.error(`  ${(last = t)}`);
      }, () => {});
    }, 1000);
    try {
      await page.waitForFunction(() => document.body.dataset.benchDone === 'true', null, { timeout: a.timeoutS * 1000, polling: 500 });
    } finally {
      clearInterval(relay);
    }
    const results = await page.evaluate(() => window.__benchResults);
    if (!results) throw new Error('bench --browser: the page finished without window.__benchResults');
    return { results, browserVersion: context.browser()?.version() ?? 'unknown' };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

function printTable(rows: BrowserBenchRow[]): void {
  const n = (v: number | undefined, d: number) => (v === undefined ? '—' : v.toFixed(d));
  const body = rows.map((r) => [
    r.workload, r.backend, n(r.medianMs, 1), n(r.minMs, 1), n(r.gflops, 2), n(r.imagesPerSec, 1),
    r.status === 'ok' ? `${r.runs}+${r.warmup}w` : '—',
    r.maxAbsErr === undefined ? '' : `${r.maxAbsErr.toExponential(1)}${r.agrees ? '' : ' MISMATCH'}`,
    r.status !== 'ok' ? `${r.status}: ${r.reason ?? ''}`
      : r.profiledWallMs !== undefined ? `profiled: ${r.profiledWallMs} ms wall, ${r.profiledKernelMs} ms in kernels` : '',
  ]);
  console.log(formatTable(['workload', 'backend', 'median ms', 'min ms', 'GFLOP/s', 'images/s', 'runs', 'max abs err vs cpu', 'note'], body));
}

/** Medians side by side: one line per workload, one column per engine ('—' where it did not run). */
function printMedians(rows: BrowserBenchRow[]): void {
  const engines = BROWSER_ENGINES.filter((e) => rows.some((r) => r.backend === e));
  const workloads = BROWSER_WORKLOADS.filter((w) => rows.some((r) => r.workload === w));
  const body = workloads.map((w) => [w, ...engines.map((e) => {
    const r = rows.find((x) => x.workload === w && x.backend === e);
    return r?.status === 'ok' && r.medianMs !== undefined ? r.medianMs.toFixed(1) : '—';
  })]);
  console.log('\nmedian ms');
  console.log(formatTable(['workload', ...engines], body));
}

export async function runBrowserBench(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  if (a.build) await buildWebApp();
  const dist = join(WEB_DIR, 'dist');
  if (!existsSync(join(dist, 'bench.html'))) throw new Error(`bench --browser: ${dist}/bench.html is missing; run without --no-build`);
  const engines = a.backends.length ? a.backends : BROWSER_ENGINES;
  const workloads = (a.workloads.length ? a.workloads : DEFAULT_BROWSER_WORKLOADS) as BrowserWorkload[];
  if (engines.includes('ort-web')) {
    for (const line of await ensureOnnxFiles(workloads.filter((w) => ONNX_FILES[w]))) console.error(`bench --browser: ort-web: ${line}`);
  }
  const server = await serveStatic(dist, { mounts: { '/onnx/': ONNX_DIR } });
  let out: Awaited<ReturnType<typeof runPage>>;
  try {
    out = await runPage(a, server.origin);
  } finally {
    await server.close();
  }
  const { results, browserVersion } = out;
  if (results.error) throw new Error(`bench page: ${results.error}`);
  const machine = `${results.date}, Chromium ${browserVersion} headless, ${results.hardwareConcurrency} cores, crossOriginIsolated ${results.crossOriginIsolated}`;
  const engineLines = Object.entries(results.engines).map(([k, v]) => `  ${k}: ${v}`);
  if (a.json) {
    console.error(`# ${machine}\n${engineLines.join('\n')}`);
    for (const r of results.rows) console.log(JSON.stringify(r));
  } else {
    console.log(`# ${machine}`);
    printTable(results.rows);
    printMedians(results.rows);
    console.log(`engines:\n${engineLines.join('\n')}`);
  }
  if (results.rows.some((r) => r.status === 'error' || r.agrees === false)) process.exitCode = 1;
}
