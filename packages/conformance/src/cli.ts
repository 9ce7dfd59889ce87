#!/usr/bin/env node
/**
 * pnpm conformance --backend <name> [--cases <file.json> ...] [--module <specifier>] [--filter <substring>]
 * Prints one line per failing case and ends with `N passed, M failed`; exit code 0 iff M = 0.
 */
import { isAbsolute, resolve } from 'node:path';
import { disposeBackend, getBackend } from '@cnn/core';
import { fixtureFiles, loadConformanceFile } from './fixtures.js';
import { loadBackend } from './load-backend.js';
import { formatFailure, runCase } from './runner.js';

const USAGE = `usage: pnpm conformance --backend <name> [--cases <file.json> ...] [--module <specifier>] [--filter <text>] [--verbose]
  --backend  registered backend name: cpu, workers, gpu, …
  --cases    a cnn-conformance/1 file (repeatable; relative to the directory the command was started in);
             default: the project's PyTorch fixtures
  --module   package or path that registers the backend, when it is not @cnn/backend-<name>
  --filter   only cases whose name contains this text
  --verbose  also list passing cases`;

interface Args {
  backend?: string;
  cases: string[];
  module?: string;
  filter?: string;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { cases: [], verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--backend') args.backend = value();
    else if (a === '--cases') args.cases.push(value());
    else if (a === '--module') args.module = value();
    else if (a === '--filter') args.filter = value();
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--') continue;
    else throw new Error(`unknown argument '${a}'`);
  }
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
    if (!args.backend) throw new Error('--backend is required');
  } catch (err) {
    console.error(`conformance: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  // pnpm runs root scripts from the workspace root; INIT_CWD is where the user typed the command.
  const startDir = process.env.INIT_CWD ?? process.cwd();
  const files = args.cases.length ? args.cases.map((f) => (isAbsolute(f) ? f : resolve(startDir, f))) : fixtureFiles();
  try {
    await loadBackend(args.backend, args.module);
  } catch (err) {
    console.error(`conformance: ${(err as Error).message}`);
    return 2;
  }
  const info = getBackend().info();
  console.log(`backend ${args.backend} (${Object.entries(info).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    let cases;
    try {
      cases = loadConformanceFile(file).cases;
    } catch (err) {
      console.log(`FAIL ${file}: ${(err as Error).message}`);
      failed++;
      continue;
    }
    for (const c of cases) {
      if (args.filter && !String(c.name).includes(args.filter)) continue;
      const r = await runCase(c);
      if (r.passed) {
        passed++;
        if (args.verbose) console.log(`ok   ${r.name}`);
      } else {
        failed++;
        console.log(formatFailure(r));
      }
    }
  }
  await disposeBackend(args.backend);
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
