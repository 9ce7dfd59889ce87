export { runKernelSuite, runKernelCase, numberedKernelCases, DEFAULT_KERNEL_SEED } from './run.js';
export type { KernelCaseResult, KernelSuiteOptions, KernelSuiteSummary, NumberedKernelCase } from './run.js';
export { kernelCases } from './cases/index.js';
export type { KernelCase, KernelInput } from './types.js';
export { ReferenceBackend } from './reference/backend.js';
export { compareKernelOutput } from './compare.js';
export { kernelReferenceFor, releaseKernelReference } from './reference-for.js';
