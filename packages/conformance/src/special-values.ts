/**
 * The special-value cases: PyTorch's answers on NaN, ±inf, ±0, ties and empty tensors (the "Special values" section
 * of @cnn/core's backend contract), written by tools/golden/special_values.py to fixtures-special/special-values.json
 * and run here through the public ops on the active backend.
 *
 * Matching: an expected NaN matches only NaN and a NaN is never accepted where a number is expected; ±inf match only
 * the same infinity; other values are close at rtol 1e-4 / atol 1e-5; int32 results (argmax) match exactly. With
 * `signedZeros` the sign of each expected zero of the outputs must match too. A case with `error` passes when the op
 * throws an error naming the op. Every case also checks that it leaves no tensor or data block behind.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '@cnn/core';
import { guardedRun } from './guarded-run.js';
import { DEFAULT_TOLERANCE } from './format.js';
import type { CaseFailure, CaseResult } from './runner.js';
import type { Attrs } from './op-spec.js';
import { SPECIAL_VALUE_OPS } from './special-values-ops.js';

export const SPECIAL_VALUES_FORMAT = 'cnn-special-values/1';

/** A JSON number, or one of the values JSON cannot write. */
export type SpecialNumber = number | 'nan' | 'inf' | '-inf';

export interface SpecialTensorJson {
  shape: number[];
  data: SpecialNumber[];
  /** Absent means float32. */
  dtype?: 'float32' | 'int32';
}

export interface SpecialValueCase {
  name: string;
  op: string;
  /** The contract's sentence this case checks. */
  claim: string;
  attrs: Attrs;
  inputs: Record<string, SpecialTensorJson>;
  outputs?: SpecialTensorJson[];
  gradOutputs?: SpecialTensorJson[];
  grads?: Record<string, SpecialTensorJson>;
  signedZeros?: boolean;
  /** torch's error, when the op must refuse. */
  error?: string;
}

/** The project's special-value fixture. */
export function specialValuesFile(): string {
  return fileURLToPath(new URL('../fixtures-special/special-values.json', import.meta.url));
}

function decodeNumber(v: SpecialNumber, what: string): number {
  if (typeof v === 'number') return v;
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new Error(`${what}: ${JSON.stringify(v)} is not a number, "nan", "inf" or "-inf"`);
}

function decode(t: SpecialTensorJson, what: string): Float64Array {
  if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data)) throw new Error(`${what}: a tensor needs "shape" and "data"`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) throw new Error(`${what}: ${t.data.length} values for shape [${t.shape.join(', ')}]`);
  return Float64Array.from(t.data, (v) => decodeNumber(v, what));
}

export function loadSpecialValueCases(path = specialValuesFile()): SpecialValueCase[] {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown; cases?: unknown };
  if (file.format !== SPECIAL_VALUES_FORMAT) throw new Error(`${path}: not a ${SPECIAL_VALUES_FORMAT} file (format is ${JSON.stringify(file.format)})`);
  if (!Array.isArray(file.cases)) throw new Error(`${path}: "cases" must be a list`);
  return file.cases as SpecialValueCase[];
}

function makeTensor(t: SpecialTensorJson, what: string): Tensor {
  const values = decode(t, what);
  return t.dtype === 'int32' ? tensor(Int32Array.from(values), t.shape, 'int32') : tensor(Float32Array.from(values), t.shape);
}

/** Why `got` is not `want` at one element, or null when it is. */
function elementMismatch(got: number, want: number, signedZero: boolean): string | null {
  if (Number.isNaN(want)) return Number.isNaN(got) ? null : 'expected NaN';
  if (Number.isNaN(got)) return 'got NaN';
  if (!Number.isFinite(want)) return got === want ? null : `expected ${want}`;
  if (signedZero && want === 0 && !Object.is(got, want)) return `expected ${Object.is(want, -0) ? '-0' : '+0'}`;
  const { rtol, atol } = DEFAULT_TOLERANCE;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want) ? null : 'outside tolerance';
}

function show(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

async function check(what: string, actual: Tensor, expected: SpecialTensorJson, signedZeros: boolean, failures: CaseFailure[]): Promise<void> {
  const want = decode(expected, what);
  const wantDtype = expected.dtype ?? 'float32';
  if (actual.dtype !== wantDtype) failures.push({ what, message: `dtype ${actual.dtype}, expected ${wantDtype}` });
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    failures.push({ what, message: `shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]` });
    return;
  }
  const got = await actual.data();
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const why = wantDtype === 'int32' ? (got[i] === want[i] ? null : 'expected exactly') : elementMismatch(got[i], want[i], signedZeros);
    if (why) bad.push(`[${i}] got ${show(got[i])}, expected ${show(want[i])} (${why})`);
  }
  if (bad.length) failures.push({ what, message: `${bad.length} of ${want.length} elements differ: ${bad.slice(0, 4).join('; ')}${bad.length > 4 ? '; …' : ''}` });
}

async function runChecks(c: SpecialValueCase, made: Tensor[], failures: CaseFailure[]): Promise<void> {
  const run = SPECIAL_VALUE_OPS[c.op];
  if (!run) throw new Error(`op '${c.op}' has no special-value runner (known: ${Object.keys(SPECIAL_VALUE_OPS).join(', ')})`);
  const inputs: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(c.inputs)) made.push((inputs[name] = makeTensor(t, `${c.name} inputs.${name}`)));
  for (const name of Object.keys(c.grads ?? {})) inputs[name].requiresGrad = true;
  if (c.error !== undefined) {
    let thrown: unknown = null;
    try {
      made.push(run(inputs, c.attrs ?? {}));
    } catch (err) {
      thrown = err;
    }
    const message = thrown instanceof Error ? thrown.message : null;
    if (!message) failures.push({ what: 'error', message: `the op returned a result; torch refuses (${c.error})` });
    else if (!message.includes(c.op)) failures.push({ what: 'error', message: `the error does not name '${c.op}': ${message}` });
    return;
  }
  const out = run(inputs, c.attrs ?? {});
  made.push(out);
  const expected = c.outputs?.[0];
  if (!expected) throw new Error('the case has neither outputs nor error');
  await check('outputs[0]', out, expected, c.signedZeros === true, failures);
  if (!c.grads || !Object.keys(c.grads).length) return;
  const dyJson = c.gradOutputs?.[0];
  if (!dyJson) throw new Error('grads given without gradOutputs');
  const dy = makeTensor(dyJson, `${c.name} gradOutputs[0]`);
  made.push(dy);
  out.backward(dy);
  for (const [name, want] of Object.entries(c.grads)) {
    const grad = inputs[name].grad;
    if (!grad) failures.push({ what: `grads.${name}`, message: 'no gradient was computed' });
    else await check(`grads.${name}`, grad, want, false, failures);
  }
}

/** Runs one case on the active backend. Never throws: problems become failures. */
export async function runSpecialValueCase(c: SpecialValueCase): Promise<CaseResult> {
  const failures: CaseFailure[] = [];
  await guardedRun(failures, (made) => runChecks(c, made, failures));
  return { name: `special-values/${c.name}`, op: c.op, passed: failures.length === 0, failures };
}

/** Every special-value case (the project's fixture, or `path`) on the active backend, in file order. */
export async function runSpecialValueCases(path?: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of loadSpecialValueCases(path)) results.push(await runSpecialValueCase(c));
  return results;
}
