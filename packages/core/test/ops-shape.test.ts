/**
 * Shape ops and reductions the conformance fixtures do not cover: concat, strided slice, transpose/permute,
 * multi-dim reductions, argmax, broadcastTo. Expected values are computed by hand or by float64
 * reference code; gradients by hand or central differences in float64.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, setBackend, tensor, tidy } from '@cnn/core';
import { expectClose, vals } from './helpers.js';
import { gradOf, groups, leaf, range, ravel, unravel } from './ops-helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

describe('concat', () => {
  it('concat([2, 2], [2, 3]) along dim 1 — values and gradient (slices of the upstream gradient)', () => {
    tidy(() => {
      const a = leaf([1, 2, 3, 4], [2, 2]);
      const b = leaf([5, 6, 7, 8, 9, 10], [2, 3]);
      const y = F.concat([a, b], 1);
      expect(y.shape).toEqual([2, 5]);
      expect(vals(y)).toEqual([1, 2, 5, 6, 7, 3, 4, 8, 9, 10]);
      const w = tensor(range(10, (i) => i + 1), [2, 5]);
      y.mul(w).sum().backward();
      expect(vals(a.grad!)).toEqual([1, 2, 6, 7]);
      expect(vals(b.grad!)).toEqual([3, 4, 5, 8, 9, 10]);
    });
  });

  it('concat of three tensors along dim 0 (and dim -1 on 1-D) — values and gradient', () => {
    tidy(() => {
      const a = leaf([1, 2], [1, 2]);
      const b = leaf([3, 4, 5, 6], [2, 2]);
      const c = leaf([7, 8], [1, 2]);
      const y = F.concat([a, b, c], 0);
      expect(y.shape).toEqual([4, 2]);
      expect(vals(y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      y.mul(tensor([10, 20, 30, 40, 50, 60, 70, 80], [4, 2])).sum().backward();
      expect(vals(a.grad!)).toEqual([10, 20]);
      expect(vals(b.grad!)).toEqual([30, 40, 50, 60]);
      expect(vals(c.grad!)).toEqual([70, 80]);
      expect(vals(F.concat([tensor([1]), tensor([2, 3])], -1))).toEqual([1, 2, 3]);
    });
  });

  it('concat along the middle dim of [2, 1, 2] and [2, 2, 2]', () => {
    tidy(() => {
      const y = F.concat([tensor([1, 2, 3, 4], [2, 1, 2]), tensor(range(8, (i) => 10 + i), [2, 2, 2])], 1);
      expect(y.shape).toEqual([2, 3, 2]);
      expect(vals(y)).toEqual([1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17]);
    });
  });
});

describe('slice', () => {
  const xs = range(14); // [2, 7]
  it('slice(x [2, 7], dim 1, start 1, end 7, step 2) → columns 1, 3, 5; gradient scatters back', () => {
    const { y, yShape, g } = gradOf((x) => F.slice(x, 1, 1, 7, 2), xs, [2, 7], [1, 2, 3, 4, 5, 6]);
    expect(yShape).toEqual([2, 3]);
    expect(y).toEqual([1, 3, 5, 8, 10, 12]);
    expect(g).toEqual([0, 1, 0, 2, 0, 3, 0, 0, 4, 0, 5, 0, 6, 0]);
  });
  it('slice with step 3 and no end: columns 0, 3, 6', () => {
    const { y, g } = gradOf((x) => F.slice(x, -1, 0, undefined, 3), xs, [2, 7], [1, 1, 1, 1, 1, 1]);
    expect(y).toEqual([0, 3, 6, 7, 10, 13]);
    expect(g).toEqual([1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1]);
  });
  it('slice with a negative start (-3) and an end past the size (clamped)', () => {
    const { y } = gradOf((x) => F.slice(x, 1, -3, 100), xs, [2, 7]);
    expect(y).toEqual([4, 5, 6, 11, 12, 13]);
  });
  it('slice along dim 0 of [3, 2, 2] with step 2', () => {
    const { y, yShape, g } = gradOf((x) => F.slice(x, 0, 0, 3, 2), range(12), [3, 2, 2], range(8, () => 1));
    expect(yShape).toEqual([2, 2, 2]);
    expect(y).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(g).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

describe('transpose / permute', () => {
  const shape = [2, 3, 4];
  const xs = range(24);
  it('transpose(0, 2) of [2, 3, 4]: y[k, j, i] = x[i, j, k]; gradient is the transposed upstream gradient', () => {
    const w = range(24, (i) => (i % 5) - 2);
    const { y, yShape, g } = gradOf((x) => x.transpose(0, 2), xs, shape, w);
    expect(yShape).toEqual([4, 3, 2]);
    for (let f = 0; f < 24; f++) {
      const [k, j, i] = unravel(f, [4, 3, 2]);
      expect(y[f]).toBe(xs[ravel([i, j, k], shape)]);
      expect(g[ravel([i, j, k], shape)]).toBe(w[f]);
    }
  });
  it('permute(1, 2, 0) and permute([2, 0, 1]) of [2, 3, 4]', () => {
    const w = range(24, (i) => i * 0.5);
    const { y, yShape, g } = gradOf((x) => x.permute(1, 2, 0), xs, shape, w);
    expect(yShape).toEqual([3, 4, 2]);
    for (let f = 0; f < 24; f++) {
      const [j, k, i] = unravel(f, [3, 4, 2]);
      expect(y[f]).toBe(xs[ravel([i, j, k], shape)]);
      expect(g[ravel([i, j, k], shape)]).toBe(w[f]);
    }
    const r = gradOf((x) => x.permute([2, 0, 1]), xs, shape);
    expect(r.yShape).toEqual([4, 2, 3]);
    expect(r.y.slice(0, 6)).toEqual([0, 4, 8, 12, 16, 20]);
  });
  it('transpose of a matrix with negative dims (-1, -2)', () => {
    const { y, yShape } = gradOf((x) => x.transpose(-1, -2), [1, 2, 3, 4, 5, 6], [2, 3]);
    expect(yShape).toEqual([3, 2]);
    expect(y).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('reductions over several non-adjacent dims', () => {
  const shape = [2, 3, 2, 2];
  const xs = range(24, (i) => ((i * 5) % 7) - 3 + i * 0.25);
  const w = range(24, (i) => ((i * 3) % 4) - 1);

  for (const keepDim of [true, false]) {
    it(`sum over dims [0, 2] of [2, 3, 2, 2], keepDim ${keepDim}`, () => {
      const axes = [0, 2];
      const { outShape, members } = groups(shape, axes);
      const wo = range(members.length, (i) => i + 1);
      const { y, yShape, g } = gradOf((x) => x.sum(axes, keepDim), xs, shape, wo);
      expect(yShape).toEqual(keepDim ? outShape : [3, 2]);
      expectClose(y, members.map((m) => m.reduce((a, f) => a + Math.fround(xs[f]), 0)), 1e-6, 1e-6);
      const expectedG = new Array(24).fill(0);
      members.forEach((m, o) => m.forEach((f) => (expectedG[f] = wo[o])));
      expect(g).toEqual(expectedG);
    });

    it(`mean over dims [3, 1] (unsorted) of [2, 3, 2, 2], keepDim ${keepDim}`, () => {
      const axes = [1, 3];
      const { members } = groups(shape, axes);
      const wo = range(members.length, (i) => i - 1.5);
      const { y, yShape, g } = gradOf((x) => x.mean([3, 1], keepDim), xs, shape, wo);
      expect(yShape).toEqual(keepDim ? [2, 1, 2, 1] : [2, 2]);
      expectClose(y, members.map((m) => m.reduce((a, f) => a + Math.fround(xs[f]), 0) / m.length), 1e-6, 1e-6);
      const expectedG = new Array(24).fill(0);
      members.forEach((m, o) => m.forEach((f) => (expectedG[f] = wo[o] / 6)));
      expectClose(g, expectedG, 1e-6, 1e-7);
    });
  }

  it('sum over dims [-1, 0] equals sum over [0, 3]', () => {
    const a = gradOf((x) => x.sum([-1, 0]), xs, shape, range(6, () => 1));
    const b = gradOf((x) => x.sum([0, 3]), xs, shape, range(6, () => 1));
    expect(a.y).toEqual(b.y);
    expect(a.yShape).toEqual([3, 2]);
  });

  it('max over dims [0, 2] of [2, 3, 2] with ties: values, and the gradient split equally among tied maxima', () => {
    // groups (over i, k for each j): j=0: {1, 5, 5, 2} → 5 twice; j=1: {7, 7, 7, 7} → four-way tie; j=2: {0, -1, 3, 2} → 3 once
    const x = [1, 5, 7, 7, 0, -1, 5, 2, 7, 7, 3, 2]; // x[i, j, k] at i*6 + j*2 + k
    for (const keepDim of [true, false]) {
      const { y, yShape, g } = gradOf((t) => t.max([0, 2], keepDim), x, [2, 3, 2], [2, 4, 6]);
      expect(yShape).toEqual(keepDim ? [1, 3, 1] : [3]);
      expect(y).toEqual([5, 7, 3]);
      expect(g).toEqual([0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 6, 0]);
    }
  });

  it('min over dims [1, 3] of [2, 3, 2, 2] matches the reference, and its gradient sums to the upstream gradient', () => {
    const axes = [1, 3];
    const { members } = groups(shape, axes);
    const wo = [1, 2, 3, 4];
    const { y, g } = gradOf((x) => x.min(axes, true), xs, shape, wo);
    expect(y).toEqual(members.map((m) => Math.min(...m.map((f) => Math.fround(xs[f])))));
    members.forEach((m, o) => expect(m.reduce((a, f) => a + g[f], 0)).toBeCloseTo(wo[o], 6));
  });

  it('max over all dims (no dim given) → a scalar; gradient one-hot at the maximum', () => {
    const { y, yShape, g } = gradOf((x) => x.max(), [3, 9, -1, 4], [2, 2], [2]);
    expect(yShape).toEqual([]);
    expect(y).toEqual([9]);
    expect(g).toEqual([0, 2, 0, 0]);
  });
  void w;
});

describe('argmax', () => {
  it('argmax along dims 1 and 0, keepDim, flattened, ties → first index; int32', () => {
    tidy(() => {
      const x = tensor([[1, 3, 3], [5, 2, 5]]);
      const a1 = x.argmax(1);
      expect(a1.dtype).toBe('int32');
      expect(a1.shape).toEqual([2]);
      expect(vals(a1)).toEqual([1, 0]);
      const k = x.argmax(1, true);
      expect(k.shape).toEqual([2, 1]);
      expect(vals(x.argmax(0))).toEqual([1, 0, 1]);
      expect(vals(x.argmax(-1))).toEqual([1, 0]);
      const flat = x.argmax();
      expect(flat.shape).toEqual([]);
      expect(vals(flat)).toEqual([3]);
      expect(vals(x.argmin(1))).toEqual([0, 1]);
    });
  });
  it('argmax along the middle dim of [2, 3, 2]', () => {
    tidy(() => {
      const x = tensor([0, 9, 4, 1, 8, 2, 3, 3, 7, 7, 1, 8], [2, 3, 2]);
      expect(vals(x.argmax(1))).toEqual([2, 0, 1, 2]);
    });
  });
});

describe('broadcastTo', () => {
  it('[3, 1] → [2, 3, 4]: values repeat; gradient sums over the broadcast dims', () => {
    const w = range(24, (i) => i);
    const { y, yShape, g } = gradOf((x) => F.broadcastTo(x, [2, 3, 4]), [1, 2, 3], [3, 1], w);
    expect(yShape).toEqual([2, 3, 4]);
    for (let f = 0; f < 24; f++) expect(y[f]).toBe(unravel(f, [2, 3, 4])[1] + 1);
    const expected = [0, 1, 2].map((j) => w.filter((_, f) => unravel(f, [2, 3, 4])[1] === j).reduce((a, b) => a + b, 0));
    expect(g).toEqual(expected);
  });
  it('[] (scalar) → [2, 2] and same shape → same shape', () => {
    const { y, g } = gradOf((x) => F.broadcastTo(x, [2, 2]), [7], [], [1, 2, 3, 4]);
    expect(y).toEqual([7, 7, 7, 7]);
    expect(g).toEqual([10]);
    const same = gradOf((x) => F.broadcastTo(x, [2]), [1, 2], [2], [3, 4]);
    expect(same.y).toEqual([1, 2]);
    expect(same.g).toEqual([3, 4]);
  });
});
