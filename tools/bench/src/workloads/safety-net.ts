/**
 * mnist-step-nonet: `mnist-step` with core's memory safety net switched off (`setMemoryOptions({ safetyNet: false })`
 * around building and every run; the tensors are then never registered with the FinalizationRegistry). Run beside
 * `mnist-step` in one invocation to read the net's cost on a training step that disposes everything (tidy) as a ratio:
 * `pnpm -s bench --backend cpu --workload mnist-step,mnist-step-nonet,mnist-step`.
 */
import { setMemoryOptions } from '@cnn/core';
import type { Step, Workload } from '../types.js';
import { mnistStep } from './mnist-step.js';

async function withoutNet<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = setMemoryOptions({ safetyNet: false });
  try {
    return await fn();
  } finally {
    setMemoryOptions({ safetyNet: before.safetyNet });
  }
}

if (mnistStep.kind !== 'tensor-api') throw new Error('mnist-step is a tensor-API workload');
const base = mnistStep;

export const mnistStepNoNet: Workload = {
  ...base,
  name: 'mnist-step-nonet',
  description: 'mnist-step with the memory safety net (FinalizationRegistry) off',
  build: async (backendName: string): Promise<Step> => {
    const step = await withoutNet(() => base.build(backendName));
    return { ...step, run: () => withoutNet(() => step.run()), dispose: () => step.dispose() };
  },
};
