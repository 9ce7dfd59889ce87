// The kernel suite end to end on a backend made the way the README says (fixtures/wrapped-cpu.ts: the contract,
// implemented by delegating to cpu, registered on import, loaded with --module): every kernel case and every fixture
// through the public entry points, the CLI's summary and exit code — and a backend with one wrong kernel fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, setBackend } from '@cnn/core';
import { runConformance, runKernelConformance } from '../src/vitest.js';
import { kernelCases, loadBackend, ReferenceBackend, runKernelSuite } from '../src/index.js';

const WRAPPED = fileURLToPath(new URL('./fixtures/wrapped-cpu.ts', import.meta.url));
const repoRoot = resolve(__dirname, '../../..');

runKernelConformance('wrapped-cpu', { module: WRAPPED });
runConformance('wrapped-cpu', { module: WRAPPED, gradCheckCases: 0 });

describe('the kernel suite', () => {
  it('covers every contract kernel with hundreds of cases, the same ones for the same seed', () => {
    const cases = kernelCases(1);
    expect(cases.length).toBeGreaterThan(400);
    for (const k of KERNEL_NAMES) expect(cases.filter((c) => c.kernel === k).length, k).toBeGreaterThan(4);
    expect(kernelCases(1).map((c) => c.name)).toEqual(cases.map((c) => c.name));
    expect(kernelCases(2).map((c) => c.name)).not.toEqual(cases.map((c) => c.name));
  });

  it('fails a backend whose argmax breaks ties the wrong way, and only on argmax cases with ties', async () => {
    await loadBackend('wrapped-cpu-last-tie', WRAPPED);
    const broken = await setBackend('wrapped-cpu-last-tie');
    const reference = new ReferenceBackend();
    const { passed, failed, results } = await runKernelSuite(broken, reference, { filter: 'reduce arg' });
    const failures = results.filter((r) => !r.passed);
    expect(passed + failed).toBeGreaterThan(10);
    expect(failed).toBeGreaterThan(0);
    expect(failures.every((r) => r.name.includes('reduce argmax'))).toBe(true);
    expect(failures[0].message).toMatch(/^output: \d+ of \d+ elements differ/);
    reference.dispose();
  });

  it('runs from the CLI: one FAIL line per failing case, then `N passed, M failed`, exit 1', () => {
    const tsx = resolve(repoRoot, 'node_modules/.bin/tsx');
    const cli = resolve(repoRoot, 'packages/conformance/src/cli.ts');
    const run = (backend: string) => spawnSync(tsx, ['--conditions=source', cli, '--backend', backend, '--module', WRAPPED, '--suite', 'kernels', '--filter', 'reduce argmax'], {
      cwd: repoRoot, encoding: 'utf8', timeout: 120_000,
    });
    const ok = run('wrapped-cpu');
    expect(ok.stdout).toMatch(/\n(\d+) passed, 0 failed\n$/);
    expect(ok.status).toBe(0);
    const bad = run('wrapped-cpu-last-tie');
    const failLines = bad.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
    expect(failLines.length).toBeGreaterThan(0);
    expect(bad.stdout).toMatch(new RegExp(`\\n\\d+ passed, ${failLines.length} failed\\n$`));
    expect(bad.status).toBe(1);
  });
});
