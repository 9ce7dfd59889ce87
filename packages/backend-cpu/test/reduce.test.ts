import { describe, expect, it } from 'vitest';
import type { ReduceOpName } from '@cnn/core';
import { expectClose, randArray, randInt, rng, setup } from './helpers.js';

/** Reference with PyTorch semantics: NaN wins max/min (first NaN for arg ops), ties keep the first index. */
function refReduce(op: ReduceOpName, x: Float32Array, outer: number, r: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const vals: number[] = [];
      for (let k = 0; k < r; k++) vals.push(x[(o * r + k) * inner + i]);
      if (op === 'sum') out.push(vals.reduce((a, b) => a + b, 0));
      else {
        const nanAt = vals.findIndex((v) => Number.isNaN(v));
        const isMax = op === 'max' || op === 'argmax';
        const ext = isMax ? Math.max(...vals) : Math.min(...vals);
        const at = nanAt >= 0 ? nanAt : vals.indexOf(ext);
        out.push(op === 'argmax' || op === 'argmin' ? at : vals[at]);
      }
    }
  return out;
}

const OPS: ReduceOpName[] = ['sum', 'max', 'min', 'argmax', 'argmin'];

describe('reduce', () => {
  it('random [outer, reduce, inner] views with ties and NaNs', () => {
    const rnd = rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const outer = randInt(rnd, 1, 4);
      const r = randInt(rnd, 1, 9);
      const inner = randInt(rnd, 1, 6);
      const x = randArray(rnd, outer * r * inner, -2, 2);
      // Round to few distinct values for ties; sprinkle NaN in some trials.
      for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 2) / 2;
      if (trial % 4 === 0) x[randInt(rnd, 0, x.length - 1)] = NaN;
      for (const op of OPS) {
        const { be, t, read } = setup();
        const out = read(be.reduce(op, t(x, [outer, r, inner]), { outer, reduce: r, inner }));
        if (op === 'argmax' || op === 'argmin') expect(out).toBeInstanceOf(Int32Array);
        expectClose(out, refReduce(op, x, outer, r, inner), 1e-6, 1e-6, `${op} trial ${trial}`);
      }
    }
  });

  it('a long sum is accumulated in float64', () => {
    const n = 100_000;
    const x = new Float32Array(n).fill(0.1);
    const { be, t, read } = setup();
    const out = read(be.reduce('sum', t(x, [n]), { outer: 1, reduce: n, inner: 1 }));
    expectClose(out, [Math.fround(0.1) * n], 1e-7, 0);
  });
});
