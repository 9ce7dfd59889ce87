// Shared by the ops tests: float64 reference helpers for shapes, reductions and gradients.
import { stridesOf as strides, tensor, tidy, type Tensor } from '@cnn/core';
import { vals } from './helpers.js';

export function leaf(values: readonly number[], shape: readonly number[]): Tensor {
  const t = tensor(Float32Array.from(values), shape);
  t.requiresGrad = true;
  return t;
}

export const range = (n: number, f: (i: number) => number = (i) => i): number[] => Array.from({ length: n }, (_, i) => f(i));
export const f32 = (xs: readonly number[]): number[] => xs.map(Math.fround);

export function unravel(flat: number, shape: readonly number[]): number[] {
  const st = strides(shape);
  return st.map((s, i) => Math.floor(flat / s) % shape[i]);
}
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  const st = strides(shape);
  return idx.reduce((a, v, i) => a + v * st[i], 0);
}

/** Reference reduction over `axes` (keepDim shape): returns, per output element, the list of input flat indices. */
export function groups(shape: readonly number[], axes: readonly number[]): { outShape: number[]; members: number[][] } {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = outShape.reduce((a, b) => a * b, 1);
  const members: number[][] = Array.from({ length: n }, () => []);
  const size = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < size; f++) {
    const idx = unravel(f, shape).map((v, i) => (axes.includes(i) ? 0 : v));
    members[ravel(idx, outShape)].push(f);
  }
  return { outShape, members };
}

/** Gradient of sum(op(x)·w) with respect to x (w random-ish but fixed), and the forward values. */
export function gradOf(op: (x: Tensor) => Tensor, xs: readonly number[], shape: readonly number[], w?: readonly number[]): { y: number[]; yShape: readonly number[]; g: number[] } {
  return tidy(() => {
    const x = leaf(xs, shape);
    const y = op(x);
    const wt = tensor(Float32Array.from(w ?? range(y.size, (i) => ((i * 7) % 5) - 1.5)), y.shape);
    y.mul(wt).sum().backward();
    return { y: vals(y), yShape: y.shape, g: vals(x.grad!) };
  });
}
