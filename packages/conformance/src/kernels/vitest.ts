/**
 * `runKernelConformance('workers')` inside a backend's vitest suite: every kernel case as a test, against the
 * reference kernelReferenceFor picks. Exported from '@cnn/conformance/vitest'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBackend, getBackend, type Backend } from '@cnn/core';
import { loadBackend } from '../load-backend.js';
import { kernelReferenceFor, releaseKernelReference } from './reference-for.js';
import { DEFAULT_KERNEL_SEED, numberedKernelCases, runKernelCase } from './run.js';

export interface RunKernelConformanceOptions {
  /** Module that registers the backend, when @cnn/backends does not list it. */
  module?: string;
  seed?: number;
  /** Only cases whose name contains this text. */
  filter?: string;
  /** Leave the backend running after the suite (default: dispose it). */
  keepBackend?: boolean;
}

/** Lets vitest's worker messages through between cases (a backend whose reads resolve at once never yields). */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function runKernelConformance(backend: string, opts: RunKernelConformanceOptions = {}): void {
  const seed = opts.seed ?? DEFAULT_KERNEL_SEED;
  describe(`kernel suite on '${backend}'`, () => {
    let tested: Backend;
    let reference: Backend;
    beforeAll(async () => {
      reference = await kernelReferenceFor(backend);
      await loadBackend(backend, opts.module);
      tested = getBackend();
    });
    afterAll(async () => {
      if (!opts.keepBackend) await disposeBackend(backend);
      await releaseKernelReference(reference);
    });
    for (const c of numberedKernelCases(seed, opts.filter)) {
      it(c.name, async () => {
        await nextMacrotask();
        const r = await runKernelCase(tested, reference, c, seed);
        expect(r.passed, r.message).toBe(true);
      });
    }
  });
}
