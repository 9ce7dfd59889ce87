/** Runs conformance cases on the active backend: forward outputs, gradients, and a leak check per case. */
import { tensor, type Tensor } from '@cnn/core';
import { guardedRun } from './guarded-run.js';
import { compareValues } from './compare.js';
import { DEFAULT_TOLERANCE, EXACT, tensorData, tensorDType, tensorValues, type ConformanceCase, type TensorJson } from './format.js';
import { INDEX_INPUTS, OPS } from './ops.js';

export interface CaseFailure {
  /** 'run', 'outputs[0]', 'grads.input', 'leak', … */
  what: string;
  message: string;
}

export interface CaseResult {
  name: string;
  op: string;
  passed: boolean;
  failures: CaseFailure[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

async function check(what: string, actual: Tensor, expected: TensorJson, c: ConformanceCase, failures: CaseFailure[]): Promise<void> {
  const exp = tensorData(expected, `${c.name} ${what}`);
  if (!sameShape(actual.shape, expected.shape)) {
    failures.push({ what, message: `shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]` });
    return;
  }
  const dtype = tensorDType(expected, `${c.name} ${what}`);
  if (actual.dtype !== dtype) {
    failures.push({ what, message: `dtype ${actual.dtype}, expected ${dtype}` });
    return;
  }
  const got = await actual.data();
  const bad = compareValues(got, exp, dtype === 'int32' ? EXACT : (c.tolerance ?? DEFAULT_TOLERANCE));
  if (bad) {
    const i = bad.firstBadIndex;
    failures.push({
      what,
      message: `max abs error ${bad.maxAbsError.toExponential(3)} (${bad.badCount} of ${exp.length} elements outside tolerance; first at ${i}: got ${got[i]}, expected ${exp[i]})`,
    });
  }
}

/** Makes the case's input tensors: int32 ones as int32, class-index inputs (stored as floats) as int32 too. */
export function makeInputs(c: ConformanceCase): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const indexInputs = INDEX_INPUTS[c.op] ?? [];
  for (const [name, t] of Object.entries(c.inputs)) {
    const values = tensorData(t, `${c.name} inputs.${name}`);
    const int = values instanceof Int32Array || indexInputs.includes(name);
    out[name] = int ? tensor(Int32Array.from(values), t.shape, 'int32') : tensor(values, t.shape);
  }
  return out;
}

/** Checks the case's op, inputs and attribute names against what the runner knows. Returns an error or null. */
export function validateCase(c: ConformanceCase): string | null {
  const spec = OPS[c.op];
  if (!spec) return `op '${c.op}' is not supported (supported: ${Object.keys(OPS).join(', ')})`;
  const known = [...spec.inputs, ...(spec.optionalInputs ?? [])];
  for (const name of spec.inputs) if (!(name in c.inputs)) return `missing input '${name}'`;
  for (const name of Object.keys(c.inputs)) if (!known.includes(name)) return `unknown input '${name}' for op '${c.op}'`;
  for (const key of Object.keys(c.attrs ?? {})) {
    if (!spec.attrs.includes(key)) return `unknown attribute '${key}' for op '${c.op}' (known: ${spec.attrs.join(', ') || 'none'})`;
  }
  for (const name of Object.keys(c.grads ?? {})) {
    if (!(name in c.inputs)) return `gradient for '${name}', which is not an input`;
    if (spec.noGrad?.includes(name)) return `gradient for '${name}', which this op does not differentiate`;
    if (c.inputs[name].dtype === 'int32') return `gradient for '${name}', which is an int32 tensor`;
  }
  if (c.grads && !c.gradOutputs?.length) return 'grads given without gradOutputs';
  return null;
}

/** Runs one case on the active backend. Never throws: problems become failures. */
export async function runCase(c: ConformanceCase): Promise<CaseResult> {
  const failures: CaseFailure[] = [];
  const result = (): CaseResult => ({ name: c.name, op: c.op, passed: failures.length === 0, failures });
  const invalid = validateCase(c);
  if (invalid) {
    failures.push({ what: 'case', message: invalid });
    return result();
  }
  await guardedRun(
    failures,
    async (made) => {
      const inputs = makeInputs(c);
      made.push(...Object.values(inputs));
      for (const name of Object.keys(c.grads ?? {})) inputs[name].requiresGrad = true;
      const outputs = OPS[c.op].run(inputs, c.attrs ?? {});
      made.push(...outputs.filter((o) => !Object.values(inputs).includes(o)));
      if (outputs.length !== c.outputs.length) {
        failures.push({ what: 'outputs', message: `op produced ${outputs.length} outputs, expected ${c.outputs.length}` });
      }
      for (let i = 0; i < Math.min(outputs.length, c.outputs.length); i++) await check(`outputs[${i}]`, outputs[i], c.outputs[i], c, failures);
      if (c.grads && Object.keys(c.grads).length) {
        const g = c.gradOutputs![0];
        const gradOut = tensor(tensorValues(g, `${c.name} gradOutputs[0]`), g.shape);
        made.push(gradOut);
        if (!sameShape(gradOut.shape, outputs[0].shape)) {
          failures.push({ what: 'gradOutputs[0]', message: `shape [${g.shape.join(', ')}] does not match output [${outputs[0].shape.join(', ')}]` });
        } else {
          outputs[0].backward(gradOut);
          for (const [name, expected] of Object.entries(c.grads)) {
            const grad = inputs[name].grad;
            if (!grad) failures.push({ what: `grads.${name}`, message: 'no gradient was computed' });
            else await check(`grads.${name}`, grad, expected, c, failures);
          }
        }
      }
    },
    ' after disposing inputs, outputs and gradients',
  );
  return result();
}

/** One line for a failing case, as the CLI prints it. */
export function formatFailure(r: CaseResult): string {
  return r.failures.map((f) => `FAIL ${r.name} ${f.what}: ${f.message}`).join('\n');
}
