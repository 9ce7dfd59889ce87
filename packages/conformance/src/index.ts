export { runCase, validateCase, makeInputs, formatFailure } from './runner.js';
export type { CaseResult, CaseFailure } from './runner.js';
export { gradCheck } from './gradcheck.js';
export type { GradCheckOptions } from './gradcheck.js';
export { compareValues } from './compare.js';
export type { Mismatch } from './compare.js';
export { parseConformanceFile, tensorData, tensorDType, tensorValues, FORMAT, DEFAULT_TOLERANCE, EXACT } from './format.js';
export type { ConformanceCase, ConformanceFile, TensorDType, TensorJson, Tolerance } from './format.js';
export { OPS } from './ops.js';
export type { OpSpec, OpRunner, Attrs } from './ops.js';
export { fixturesDir, fixtureFiles, loadConformanceFile } from './fixtures.js';
export { loadBackend, importBackendPackage, knownBackendNames } from './load-backend.js';
export * from './kernels/index.js';
export {
  runSpecialValueCases, runSpecialValueCase, loadSpecialValueCases, specialValuesFile, SPECIAL_VALUES_FORMAT,
} from './special-values.js';
export type { SpecialValueCase, SpecialTensorJson, SpecialNumber } from './special-values.js';
export { SPECIAL_VALUE_OPS } from './special-values-ops.js';
