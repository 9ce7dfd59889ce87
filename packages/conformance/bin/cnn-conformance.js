#!/usr/bin/env node
// The `cnn-conformance` command. It lives outside dist/ because package managers link a package's bins when they
// install it, and in this repository that happens before anything is built: a bin pointing into dist/ made every
// fresh install warn that it could not be linked. The CLI itself is the built dist/cli.js.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('cnn-conformance: @cnn/conformance is not built (dist/cli.js is missing); run `pnpm build`, or in the repository `pnpm conformance ...`');
  process.exit(1);
}
await import(cli.href);
