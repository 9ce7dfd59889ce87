/** Shared helpers for the core tests: backend setup, value comparison and float64 numerical gradients. */
import { expect } from 'vitest';
import { memory, type Tensor } from '@cnn/core';

/** Values of a tensor as a plain number array (cpu backend reads synchronously). */
export function vals(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Element-wise |a − e| ≤ atol + rtol·|e|, with a message naming the first failing index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) expect.fail(`${label}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|expected|)`);
  }
}

/** Central differences of a float64 scalar function f at x (each coordinate perturbed by ±h). */
export function numericGrad(f: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  const g: number[] = [];
  const y = [...x];
  for (let i = 0; i < x.length; i++) {
    y[i] = x[i] + h;
    const fp = f(y);
    y[i] = x[i] - h;
    const fm = f(y);
    y[i] = x[i];
    g.push((fp - fm) / (2 * h));
  }
  return g;
}

export function counts(): { numTensors: number; numDataIds: number } {
  const m = memory();
  return { numTensors: m.numTensors, numDataIds: m.numDataIds };
}
