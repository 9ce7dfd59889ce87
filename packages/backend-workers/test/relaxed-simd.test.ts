// The relaxed-SIMD build of the kernels (a fused multiply-add in the GEMM micro-kernel): chosen by default where the
// engine has relaxed SIMD, refused with a clear error where it does not, and — in a child Node started with
// --experimental-wasm-relaxed-simd — every kernel of the suite agrees with backend-cpu through it. This vitest process
// runs plain Node 20, so everything else in this package's tests covers the plain SIMD build.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWorkersBackend } from '../src/index.js';
import { relaxedSimdSupported } from '../src/wasm/loader.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('relaxed SIMD', () => {
  it('plain Node 20 has no relaxed SIMD: the default is the plain build, and asking for relaxed fails clearly', async () => {
    expect(relaxedSimdSupported()).toBe(false);
    const be = await createWorkersBackend({ threads: 1 }, 'workers-plain');
    expect(be.info().relaxedSimd).toBe(false);
    await be.dispose();
    await expect(createWorkersBackend({ relaxedSimd: true }, 'workers-relaxed')).rejects.toThrow(
      /workers-relaxed backend: relaxedSimd: true, but this engine has no WebAssembly relaxed SIMD \(Node 20: start node with --experimental-wasm-relaxed-simd/,
    );
  });

  it('with --experimental-wasm-relaxed-simd the backend picks the relaxed build, and every kernel case agrees with backend-cpu', () => {
    const out = execFileSync(
      process.execPath,
      ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--conditions=source', 'test/fixtures/relaxed-child.ts'],
      { cwd: packageDir, encoding: 'utf8', timeout: 240_000 },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as { info: Record<string, unknown>; passed: number; failed: number; failures: string[] };
    expect(r.info.relaxedSimd).toBe(true);
    expect(String(r.info.kernels)).toMatch(/relaxed SIMD/);
    expect(r.failures).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.passed).toBeGreaterThan(600);
  }, 300_000);
});
