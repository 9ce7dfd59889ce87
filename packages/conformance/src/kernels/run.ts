/**
 * Runs kernel cases on a backend and on a reference and compares the outputs. Each case is also a leak check: the
 * backend holds as many data blocks after the case as before.
 */
import { sizeOf, type Backend, type DataId, type TensorInfo, type TypedArray } from '@cnn/core';
import { kernelCases } from './cases/index.js';
import { compareKernelOutput } from './compare.js';
import type { KernelCase } from './types.js';
import { CaseRandom, caseSeed } from './values.js';

/** The seed the CLI and the vitest entry use unless told otherwise: every run checks the same cases. */
export const DEFAULT_KERNEL_SEED = 1;

export interface KernelCaseResult {
  /** `[k<index>] <case name>`: the index and `--seed` reproduce the case. */
  name: string;
  kernel: string;
  passed: boolean;
  /** Why it failed: an error, an output mismatch or a leak. */
  message?: string;
  ms: number;
}

export interface NumberedKernelCase {
  index: number;
  name: string;
  case: KernelCase;
}

/** The suite's cases with their reproducible names, those whose name contains `filter` when given. */
export function numberedKernelCases(seed = DEFAULT_KERNEL_SEED, filter?: string): NumberedKernelCase[] {
  return kernelCases(seed)
    .map((c, index) => ({ index, name: `[k${index}] ${c.name}`, case: c }))
    .filter((c) => !filter || c.name.includes(filter));
}

/** Writes the inputs, runs the kernel, reads its output and frees everything, even when the kernel throws. */
async function runOn(backend: Backend, c: KernelCase, values: readonly TypedArray[]): Promise<TypedArray> {
  const infos: TensorInfo[] = [];
  let out: DataId | null = null;
  try {
    c.inputs.forEach((input, i) => infos.push({ dataId: backend.write(values[i], input.dtype), shape: input.shape, dtype: input.dtype }));
    out = c.call(backend, infos);
    return await backend.read(out);
  } finally {
    if (out) backend.disposeData(out);
    for (const t of infos) backend.disposeData(t.dataId);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

export async function runKernelCase(backend: Backend, reference: Backend, c: NumberedKernelCase, seed = DEFAULT_KERNEL_SEED): Promise<KernelCaseResult> {
  const start = performance.now();
  const result = (passed: boolean, why?: string): KernelCaseResult => ({
    name: c.name, kernel: c.case.kernel, passed, message: why, ms: performance.now() - start,
  });
  const rng = new CaseRandom(caseSeed(seed, c.index));
  const values = c.case.inputs.map((input) => rng.values(sizeOf(input.shape), input.fill, input.dtype));
  let want: TypedArray;
  try {
    want = await runOn(reference, c.case, values);
  } catch (err) {
    return result(false, `reference '${reference.name}' failed: ${message(err)}`);
  }
  const before = backend.memory().numDataIds;
  let got: TypedArray;
  try {
    got = await runOn(backend, c.case, values);
  } catch (err) {
    return result(false, `run: ${message(err)}`);
  }
  const { size, shape, dtype } = c.case.output;
  const problem = want.length !== size
    ? `reference '${reference.name}' gave ${want.length} elements for output [${shape.join(', ')}]`
    : compareKernelOutput(got, want, dtype);
  if (problem) return result(false, `output: ${problem}`);
  const after = backend.memory().numDataIds;
  if (after !== before) return result(false, `leak: backend data blocks ${before} → ${after} after freeing inputs and output`);
  return result(true);
}

export interface KernelSuiteSummary {
  passed: number;
  failed: number;
  results: KernelCaseResult[];
}

export interface KernelSuiteOptions {
  seed?: number;
  filter?: string;
  /** Called after each case (the CLI prints failures as they come). */
  onResult?: (r: KernelCaseResult) => void;
}

/** Every case of the suite (or those matching `filter`) on `backend` against `reference`. Never throws for a case. */
export async function runKernelSuite(backend: Backend, reference: Backend, opts: KernelSuiteOptions = {}): Promise<KernelSuiteSummary> {
  const seed = opts.seed ?? DEFAULT_KERNEL_SEED;
  const summary: KernelSuiteSummary = { passed: 0, failed: 0, results: [] };
  for (const c of numberedKernelCases(seed, opts.filter)) {
    const r = await runKernelCase(backend, reference, c, seed);
    summary.results.push(r);
    if (r.passed) summary.passed++;
    else summary.failed++;
    opts.onResult?.(r);
  }
  return summary;
}
