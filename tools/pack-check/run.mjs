#!/usr/bin/env node
// The packages as a user receives them: packs every publishable package (pnpm pack), installs the tarballs with npm
// into a fresh project outside the workspace, type-checks a usage file in four modes (nodenext and bundler, ESM and
// CommonJS, strict, skipLibCheck false) and runs it under Node as ESM and as CommonJS. Exits non-zero on any error.
// Needs dist/ built (`pnpm build`). `--keep` leaves the temporary project for a look; it is kept on failure anyway.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packAll, ROOT, run } from './packages.mjs';

const TEMPLATE = join(ROOT, 'tools/pack-check/consumer');
/** tsconfig per mode; the nodenext ones also emit out/usage.mjs and out/usage.cjs, which Node then runs. */
const MODES = ['nodenext-esm', 'nodenext-cjs', 'bundler-esm', 'bundler-cjs'];
const RUNS = ['out/usage.mjs', 'out/usage.cjs'];

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'cnn-pack-check-'));
const failures = [];

function report(label, { code, output }) {
  const errors = (output.match(/error TS\d+/g) ?? []).length;
  console.log(`${code === 0 ? 'ok  ' : 'FAIL'} ${label}${errors ? ` (${errors} TypeScript errors)` : ''} [${seconds()}]`);
  if (code !== 0) {
    failures.push(label);
    console.log(output.trimEnd().replace(/^/gm, '     '));
  }
}

try {
  const tarballs = join(work, 'tarballs');
  const packed = await packAll(tarballs);
  console.log(`packed ${packed.length} packages: ${packed.map(({ name }) => name).join(', ')} [${seconds()}]`);

  const consumer = join(work, 'consumer');
  cpSync(TEMPLATE, consumer, { recursive: true });
  const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const tarballRanges = Object.fromEntries(packed.map(({ name, tarball }) => [name, `file:${relative(consumer, tarball)}`]));
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify(
      {
        name: 'cnn-pack-check-consumer',
        private: true,
        dependencies: tarballRanges,
        // Packed packages name each other by version (pnpm pack rewrote workspace:*); these are not on the registry.
        overrides: Object.fromEntries(packed.map(({ name }) => [name, `$${name}`])),
        devDependencies: { typescript: rootPackage.devDependencies.typescript, '@types/node': rootPackage.devDependencies['@types/node'] },
      },
      null,
      2,
    ),
  );
  // --ignore-scripts --omit=optional: headless-gl (an optional native build) is not needed to compile or to run cpu.
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional', '--loglevel=error'], { cwd: consumer });
  report('npm install of the tarballs', install);

  if (install.code === 0) {
    const tsc = join(consumer, 'node_modules/typescript/bin/tsc');
    const compiled = await Promise.all(MODES.map((mode) => run(process.execPath, [tsc, '-p', `tsconfig.${mode}.json`], { cwd: consumer })));
    compiled.forEach((result, i) => report(`tsc ${MODES[i]}`, result));
    if (compiled[0].code === 0 && compiled[1].code === 0) {
      for (const file of RUNS) {
        const result = await run(process.execPath, [file], { cwd: consumer });
        report(`node ${file}`, result);
        if (result.code === 0) console.log(`     ${result.output.trim().split('\n').at(-1)}`);
      }
    } else {
      failures.push('usage files not run (nodenext compile failed)');
    }
  }
} catch (error) {
  failures.push(String(error instanceof Error ? error.message : error));
  console.log(String(error instanceof Error ? error.message : error));
}

if (failures.length === 0) {
  console.log(`pack-check: every package packs, installs, compiles in ${MODES.length} modes and runs as ESM and CJS (${seconds()})`);
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
} else {
  console.log(`pack-check: ${failures.length} failed: ${failures.join('; ')}. The project is kept in ${work}`);
  process.exitCode = 1;
}
