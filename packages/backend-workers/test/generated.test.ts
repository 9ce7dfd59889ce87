// The committed build artefacts (wasm bytes, worker bundle) match their sources, and the SIMD kernels load here.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { simdSupported } from '../src/index.js';
import { loadSimdKernels } from '../src/wasm/loader.js';

it('src/generated is up to date with src/wasm/assembly and the worker sources', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  expect(() => execFileSync(process.execPath, ['scripts/generate.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
});

it('the wasm SIMD module loads and multiplies', () => {
  expect(simdSupported()).toBe(true);
  const s = loadSimdKernels();
  s.reset();
  const a = s.alloc(6);
  const b = s.alloc(6);
  const c = s.alloc(4);
  const scratch = s.allocBytes(s.k.gemmScratchBytes(2, 2, 3));
  const mem = s.commit();
  mem.set([1, 2, 3, 4, 5, 6], a / 4);
  mem.set([1, 0, 0, 1, 1, 1], b / 4);
  s.k.gemm(2, 2, 3, a, 3, 1, b, 2, 1, c, 2, 0, scratch);
  expect([...mem.subarray(c / 4, c / 4 + 4)]).toEqual([4, 5, 10, 11]);
});
