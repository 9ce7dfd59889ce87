#!/usr/bin/env node
// `pnpm lint:packages`: the well-kept package linters on every publishable package, as packed by pnpm — publint
// (package.json fields against the files that ship; warnings count as errors) and @arethetypeswrong/cli (types and
// JavaScript resolve to matching files and formats under node10, node16 ESM and CJS, and bundler). Needs dist/ built:
// the root script runs `turbo run build` first (a cache hit when nothing changed).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packAll, run } from './packages.mjs';

const require = createRequire(import.meta.url);
const attw = join(require.resolve('@arethetypeswrong/cli/package.json'), '../dist/index.js');
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'cnn-lint-packages-'));
let failed = 0;
try {
  const packed = await packAll(work);
  const results = await Promise.all(
    packed.map(async ({ name, tarball }) => {
      const bytes = readFileSync(tarball);
      const { messages, pkg } = await publint({ pkgDir: 'package', strict: true, pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) } });
      const types = await run(process.execPath, [attw, tarball, '--format', 'ascii']);
      return { name, publintLines: messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`), types };
    }),
  );
  for (const { name, publintLines, types } of results) {
    const ok = publintLines.length === 0 && types.code === 0;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: publint ${publintLines.length === 0 ? 'clean' : `${publintLines.length} messages`}, attw ${types.code === 0 ? 'clean' : 'problems'}`);
    for (const line of publintLines) console.log(`     publint ${line}`);
    if (types.code !== 0) console.log(types.output.trimEnd().replace(/^/gm, '     '));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`lint:packages: ${failed === 0 ? 'every package clean' : `${failed} package(s) with problems`} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
if (failed > 0) process.exitCode = 1;
