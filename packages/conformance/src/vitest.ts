/**
 * `runConformance('cpu')` inside a backend's own vitest suite: every fixture case as a test, plus numerical gradient
 * checks. Import from '@cnn/conformance/vitest'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBackend } from '@cnn/core';
import { fixtureFiles, loadConformanceFile } from './fixtures.js';
import { gradCheck } from './gradcheck.js';
import { loadBackend } from './load-backend.js';
import { formatFailure, runCase } from './runner.js';
import { loadSpecialValueCases, runSpecialValueCase } from './special-values.js';
import { basename } from 'node:path';

/**
 * Backends whose reads resolve at once (cpu; gpu's synchronous readPixels) would otherwise run hundreds of cases
 * without the event loop turning once, and vitest's own worker messages time out on a long suite.
 */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export interface RunConformanceOptions {
  /** Files to run instead of the project's fixtures. */
  files?: string[];
  /** Module that registers the backend, when not @cnn/backend-<name>. */
  module?: string;
  /** Gradient-checked cases per op file (the first ones); 0 turns it off. */
  gradCheckCases?: number;
  /** Leave the backend running after the suite (default: dispose it). */
  keepBackend?: boolean;
}

export function runConformance(backend: string, opts: RunConformanceOptions = {}): void {
  const files = opts.files ?? fixtureFiles();
  describe(`conformance on '${backend}'`, () => {
    beforeAll(async () => {
      await loadBackend(backend, opts.module);
    });
    afterAll(async () => {
      if (!opts.keepBackend) await disposeBackend(backend);
    });
    for (const file of files) {
      const { cases } = loadConformanceFile(file);
      describe(basename(file), () => {
        for (const c of cases) {
          it(c.name, async () => {
            await nextMacrotask();
            const r = await runCase(c);
            expect(r.passed, formatFailure(r)).toBe(true);
          });
        }
        const checked = cases.filter((c) => c.grads && Object.keys(c.grads).length).slice(0, opts.gradCheckCases ?? 3);
        for (const c of checked) {
          it(`${c.name} gradients match central differences`, async () => {
            await nextMacrotask();
            const problems = await gradCheck(c);
            expect(problems, problems.join('\n')).toEqual([]);
          });
        }
      });
    }
  });
}

export interface RunSpecialValuesOptions {
  /** A special-value file instead of the project's. */
  file?: string;
  /** Module that registers the backend, when not @cnn/backend-<name>. */
  module?: string;
  /** Leave the backend running after the suite (default: dispose it). */
  keepBackend?: boolean;
}

/** `runSpecialValues('cpu')`: every special-value case (NaN, ±inf, ties, empty tensors; see special-values.ts) as a test. */
export function runSpecialValues(backend: string, opts: RunSpecialValuesOptions = {}): void {
  describe(`special values on '${backend}'`, () => {
    beforeAll(async () => {
      await loadBackend(backend, opts.module);
    });
    afterAll(async () => {
      if (!opts.keepBackend) await disposeBackend(backend);
    });
    for (const c of loadSpecialValueCases(opts.file)) {
      it(`${c.name}: ${c.claim}`, async () => {
        await nextMacrotask();
        const r = await runSpecialValueCase(c);
        expect(r.passed, formatFailure(r)).toBe(true);
      });
    }
  });
}

export { runKernelConformance } from './kernels/vitest.js';
export { runSafetyNetTraining, smallConvNet } from './safety-net.js';
export type { RunSafetyNetTrainingOptions } from './safety-net.js';
export type { RunKernelConformanceOptions } from './kernels/vitest.js';
