/** Every kernel case of the suite, in a fixed order for a given seed. */
import { KERNEL_NAMES, type KernelName } from '@cnn/core';
import type { KernelCase } from '../types.js';
import { CaseRandom } from '../values.js';
import { convKernelCases } from './conv.js';
import { elementwiseCases } from './elementwise.js';
import { fusedConvKernelCases } from './fused-conv.js';
import { gatherKernelCases } from './gather.js';
import { layoutCases } from './layout.js';
import { matmulCases } from './matmul.js';
import { poolKernelCases } from './pool.js';

const GENERATORS = [elementwiseCases, layoutCases, gatherKernelCases, matmulCases, convKernelCases, fusedConvKernelCases, poolKernelCases];

/** The suite's cases; geometries are drawn from `seed` (inputs are drawn per case when it runs). */
export function kernelCases(seed: number): KernelCase[] {
  const rng = new CaseRandom(seed);
  const cases = GENERATORS.flatMap((generate) => generate(rng));
  const missing = KERNEL_NAMES.filter((k: KernelName) => !cases.some((c) => c.kernel === k));
  if (missing.length) throw new Error(`kernel suite: no cases for contract kernel(s) ${missing.join(', ')}; add them under src/kernels/cases`);
  return cases;
}
