#!/usr/bin/env node
/**
 * Fails when a module cycle runs through tensor.ts, engine.ts or autograd.ts. Those three are the hub every op imports:
 * a cycle through them means a module can run before the Tensor class or the engine exists (issue 9, item 5). Cycles
 * among ops files (a gradient that calls another op beside it) are allowed and only listed. Type-only imports are
 * erased at build time, so they do not count.
 */
import madge from 'madge';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LEAVES = ['tensor.ts', 'engine.ts', 'autograd.ts'];

const graph = await madge(`${root}src`, {
  baseDir: `${root}src`,
  fileExtensions: ['ts'],
  tsConfig: `${root}tsconfig.json`,
  detectiveOptions: { ts: { skipTypeImports: true } },
});
const skipped = graph.warnings().skipped;
if (skipped.length > 0) {
  console.error(`check-cycles: could not resolve ${skipped.length} import(s): ${skipped.join(', ')}`);
  process.exit(1);
}
const cycles = graph.circular();
const forbidden = cycles.filter((cycle) => cycle.some((file) => LEAVES.includes(file)));
const show = (cycle) => [...cycle, cycle[0]].join(' → ');
for (const cycle of cycles) if (!forbidden.includes(cycle)) console.log(`allowed (not through ${LEAVES.join('/')}): ${show(cycle)}`);
if (forbidden.length > 0) {
  for (const cycle of forbidden) console.error(`forbidden cycle through ${LEAVES.join('/')}: ${show(cycle)}`);
  console.error(`check-cycles: ${forbidden.length} cycle(s) through ${LEAVES.join(', ')}; keep those modules free of ops imports (see ops/install-methods.ts)`);
  process.exit(1);
}
console.log(`check-cycles: no cycle through ${LEAVES.join(', ')} (${Object.keys(graph.obj()).length} modules)`);
