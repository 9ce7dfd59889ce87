/** Shared helpers for the core tests: backend setup, value comparison and float64 numerical gradients. */
import { expect } from 'vitest';
import { CnnError, memory, nn, type Tensor } from '@cnn/core';

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

/** The conv→relu→maxpool→flatten→linear net the memory tests train: [N, 1, 8, 8] inputs, 3 classes. */
export function smallNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 4 * 4 * 4, outFeatures: 3 }),
  );
}

/** Asserts `fn` throws a CnnError whose message contains (or matches) every fragment, and that it allocated nothing. */
export function rejects(fn: () => unknown, ...fragments: (string | RegExp)[]): void {
  const before = counts();
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a throw').toBeInstanceOf(CnnError);
  const message = (error as Error).message;
  for (const f of fragments) {
    if (typeof f === 'string') expect(message).toContain(f);
    else expect(message).toMatch(f);
  }
  // The rejected call did no work: no new tensors, no backend data.
  expect(counts()).toEqual(before);
}
