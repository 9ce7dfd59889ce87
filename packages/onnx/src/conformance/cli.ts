#!/usr/bin/env node
/**
 * pnpm onnx-conformance --backend <name> [--data <dir>] [--filter <text>] [--module <specifier>] [--verbose]
 * Runs ONNX's own operator tests (Debian's libonnx-testdata) through importOnnx: every test whose operators are all
 * supported is compared with ONNX's outputs; the others are listed by operator. Ends with `N passed, M failed`;
 * exit code 0 iff M = 0.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { disposeBackend, getBackend } from '@cnn/core';
import { runOperatorTest, ONNX_TEST_TOLERANCE, type OperatorTestResult } from './run.js';
import { DEFAULT_TEST_DATA, listOperatorTests } from './testdata.js';

interface Args {
  backend?: string;
  data: string;
  filter?: string;
  module?: string;
  verbose: boolean;
  help: boolean;
}

const USAGE = `usage: pnpm onnx-conformance --backend <name> [--data <dir>] [--filter <text>] [--module <specifier>] [--verbose]
  --backend  cpu, workers, workers-nosimd, gpu (gpu needs a display: xvfb-run -a)
  --data     ONNX's node tests: test_*/model.onnx + test_data_set_*/{input,output}_*.pb
             (default ${DEFAULT_TEST_DATA}, Debian's libonnx-testdata)
  --filter   only tests whose name contains this text
  --module   package or path that registers the backend, when @cnn/backends does not list it
  --verbose  also list passing tests`;

function parseArgs(argv: string[]): Args {
  const args: Args = { data: DEFAULT_TEST_DATA, verbose: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--backend') args.backend = value();
    else if (a === '--data') args.data = value();
    else if (a === '--filter') args.filter = value();
    else if (a === '--module') args.module = value();
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--') continue;
    else throw new Error(`unknown argument '${a}'`);
  }
  return args;
}

/** The conformance package's backend loader (through @cnn/backends), resolved where the repository installs it. */
const LOADER = '@cnn/conformance';

async function loadBackend(name: string, moduleSpecifier?: string): Promise<void> {
  const { loadBackend: load } = (await import(/* @vite-ignore */ LOADER)) as { loadBackend(name: string, spec?: string): Promise<void> };
  await load(name, moduleSpecifier);
}

function printUnsupported(results: OperatorTestResult[]): void {
  const byOp = new Map<string, string[]>();
  for (const r of results) {
    for (const u of r.unsupported ?? []) {
      const key = u.reason ? `${u.opType} (${u.reason})` : u.opType;
      const list = byOp.get(key) ?? [];
      if (!list.includes(r.name)) list.push(r.name);
      byOp.set(key, list);
    }
  }
  console.log(`unsupported: ${results.length} tests, by operator (or option):`);
  for (const [op, tests] of [...byOp].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`  ${op}: ${tests.length} — ${tests.join(', ')}`);
  }
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    if (!args.backend) throw new Error('--backend is required');
  } catch (err) {
    console.error(`onnx-conformance: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  // pnpm runs root scripts from the workspace root; INIT_CWD is where the user typed the command.
  const data = isAbsolute(args.data) ? args.data : resolve(process.env.INIT_CWD ?? process.cwd(), args.data);
  if (!existsSync(data)) {
    console.error(`onnx-conformance: no test data at ${data} (Debian: apt-get install libonnx-testdata; or --data <onnx>/onnx/backend/test/data/node)`);
    return 2;
  }
  const tests = listOperatorTests(data).filter((t) => !args.filter || t.name.includes(args.filter));
  if (tests.length === 0) {
    console.error(`onnx-conformance: no tests (test_*/model.onnx) under ${data}${args.filter ? ` matching '${args.filter}'` : ''}`);
    return 2;
  }
  try {
    await loadBackend(args.backend, args.module);
  } catch (err) {
    console.error(`onnx-conformance: ${(err as Error).message}`);
    return 2;
  }
  const info = getBackend().info();
  console.log(`backend ${args.backend} (${Object.entries(info).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  console.log(`${tests.length} tests from ${data}; tolerance rtol ${ONNX_TEST_TOLERANCE.rtol}, atol ${ONNX_TEST_TOLERANCE.atol} (ONNX's backend-test default)`);
  const start = performance.now();
  const results: OperatorTestResult[] = [];
  for (const t of tests) {
    const r = await runOperatorTest(t);
    results.push(r);
    if (r.status === 'failed') console.log(`FAIL ${r.name} [${r.ops.join(', ')}]: ${r.message}`);
    else if (r.status === 'passed' && args.verbose) console.log(`ok   ${r.name}`);
  }
  await disposeBackend(args.backend);
  const unsupported = results.filter((r) => r.status === 'unsupported');
  printUnsupported(unsupported);
  const passed = results.filter((r) => r.status === 'passed').length;
  const failed = results.filter((r) => r.status === 'failed').length;
  console.log(`${tests.length} tests: ${passed} passed, ${failed} failed, ${unsupported.length} unsupported (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`onnx-conformance: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
