/**
 * Numerical gradient check: central differences, accumulated in float64, against autograd's gradients. Independent of
 * the PyTorch goldens, so it also covers gradients of ops or cases no oracle file has. The forward pass is float32,
 * so the comparison is looser than the golden one: this catches wrong formulas, not last-bit rounding.
 */
import { noGrad, tensor, type Tensor } from '@cnn/core';
import { tensorValues, type ConformanceCase } from './format.js';
import { makeInputs } from './runner.js';
import { INDEX_INPUTS, OPS } from './ops.js';

export interface GradCheckOptions {
  /** Elements checked per input (spread evenly over the tensor). */
  maxElements?: number;
  step?: number;
  rtol?: number;
  atol?: number;
}

async function objective(c: ConformanceCase, override: { name: string; index: number; value: number } | null, gradOut: Float32Array): Promise<number> {
  const inputs = makeInputs(c);
  try {
    if (override) {
      const t = inputs[override.name];
      const v = await t.data();
      v[override.index] = override.value;
      inputs[override.name].dispose();
      inputs[override.name] = tensor(v as Float32Array, t.shape);
    }
    const outs = noGrad(() => OPS[c.op].run(inputs, c.attrs ?? {}));
    const y = await outs[0].data();
    for (const o of outs) if (!Object.values(inputs).includes(o)) o.dispose();
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * gradOut[i];
    return s;
  } finally {
    for (const t of Object.values(inputs)) t.dispose();
  }
}

async function centralDifference(c: ConformanceCase, name: string, index: number, x: number, h: number, gradOut: Float32Array): Promise<number> {
  const plus = Math.fround(x + h);
  const minus = Math.fround(x - h);
  const fp = await objective(c, { name, index, value: plus }, gradOut);
  const fm = await objective(c, { name, index, value: minus }, gradOut);
  return (fp - fm) / (plus - minus);
}

/** Returns a description of each disagreeing element (empty when the gradients agree). */
export async function gradCheck(c: ConformanceCase, opts: GradCheckOptions = {}): Promise<string[]> {
  const names = Object.keys(c.grads ?? {}).filter((n) => !(INDEX_INPUTS[c.op] ?? []).includes(n));
  if (!names.length || !c.gradOutputs?.length) return [];
  const maxElements = opts.maxElements ?? 8;
  const h = opts.step ?? 1e-2;
  const rtol = opts.rtol ?? 2e-2;
  const atol = opts.atol ?? 2e-3;
  const gradOut = tensorValues(c.gradOutputs[0], `${c.name} gradOutputs[0]`);

  // Autograd's gradients.
  const inputs = makeInputs(c);
  const analytic: Record<string, Float32Array> = {};
  const base: Record<string, Float32Array> = {};
  try {
    for (const n of names) inputs[n].requiresGrad = true;
    const outs = OPS[c.op].run(inputs, c.attrs ?? {});
    const g = tensor(gradOut, outs[0].shape);
    outs[0].backward(g);
    g.dispose();
    for (const n of names) {
      analytic[n] = (await inputs[n].grad!.data()) as Float32Array;
      base[n] = (await inputs[n].data()) as Float32Array;
    }
    for (const o of outs) if (!Object.values(inputs).includes(o)) o.dispose();
  } finally {
    for (const t of Object.values(inputs) as Tensor[]) t.dispose();
  }

  const problems: string[] = [];
  for (const n of names) {
    const size = base[n].length;
    const count = Math.min(size, maxElements);
    for (let k = 0; k < count; k++) {
      const index = Math.floor((k * size) / count);
      const a = analytic[n][index];
      // A step can cross a kink (two values of a max-pool window within h of each other); a genuinely wrong
      // gradient disagrees at every step size, so retry smaller steps before reporting.
      let numeric = NaN;
      for (const step of [h, h / 10, h / 100]) {
        numeric = await centralDifference(c, n, index, base[n][index], step, gradOut);
        if (Math.abs(numeric - a) <= atol + rtol * Math.abs(numeric)) break;
      }
      if (!(Math.abs(numeric - a) <= atol + rtol * Math.abs(numeric))) {
        problems.push(`${n}[${index}]: autograd ${a}, central difference ${numeric}`);
      }
    }
  }
  return problems;
}
