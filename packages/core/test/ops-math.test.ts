/**
 * Math ops the conformance fixtures do not cover: 1-D matmul, elementwise gradients, softmax along dim 0,
 * variance, clamp, conv1d 'same'. Expected values are computed by hand or by float64
 * reference code; gradients by hand or central differences in float64.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import { expectClose, numericGrad, vals } from './helpers.js';
import { f32, gradOf, leaf, range } from './ops-helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

describe('matmul with 1-D operands', () => {
  it('[3] · [3] → scalar dot product; grads b and a', () => {
    tidy(() => {
      const a = leaf([1, 2, 3], [3]);
      const b = leaf([4, 5, 6], [3]);
      const y = F.matmul(a, b);
      expect(y.shape).toEqual([]);
      expect(vals(y)).toEqual([32]);
      y.backward();
      expect(vals(a.grad!)).toEqual([4, 5, 6]);
      expect(vals(b.grad!)).toEqual([1, 2, 3]);
    });
  });
  it('[3] · [3, 2] → [2] and [2, 3] · [3] → [2], with gradients', () => {
    tidy(() => {
      const v = leaf([1, 2, 3], [3]);
      const m = leaf([1, 2, 3, 4, 5, 6], [3, 2]);
      const y = F.matmul(v, m);
      expect(y.shape).toEqual([2]);
      expect(vals(y)).toEqual([22, 28]);
      y.mul(tensor([1, -1])).sum().backward();
      expect(vals(v.grad!)).toEqual([-1, -1, -1]); // m · [1, −1]
      expect(vals(m.grad!)).toEqual([1, -1, 2, -2, 3, -3]); // v ⊗ [1, −1]

      const m2 = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
      const v2 = leaf([1, 0, -1], [3]);
      const y2 = F.matmul(m2, v2);
      expect(y2.shape).toEqual([2]);
      expect(vals(y2)).toEqual([-2, -2]);
      y2.mul(tensor([2, 3])).sum().backward();
      expect(vals(m2.grad!)).toEqual([2, 0, -2, 3, 0, -3]);
      expect(vals(v2.grad!)).toEqual([14, 19, 24]); // m2ᵀ · [2, 3]
    });
  });
  it('batched: [2, 2, 3] · [3] → [2, 2] and [3] · [2, 3, 2] → [2, 2]', () => {
    tidy(() => {
      const a = tensor(range(12), [2, 2, 3]);
      const v = tensor([1, 1, 1]);
      const y = F.matmul(a, v);
      expect(y.shape).toEqual([2, 2]);
      expect(vals(y)).toEqual([3, 12, 21, 30]);
      const b = tensor(range(12), [2, 3, 2]);
      const y2 = F.matmul(tensor([1, 0, 2]), b);
      expect(y2.shape).toEqual([2, 2]);
      expect(vals(y2)).toEqual([8, 11, 26, 29]);
    });
  });
  it('gradients of [3] · [2, 3, 2] by central differences', () => {
    const vs = [0.5, -1, 2];
    const bs = range(12, (i) => Math.sin(i));
    const w = [1, 2, 3, 4];
    const ref = (v: number[], b: number[]): number => {
      let s = 0;
      for (let n = 0; n < 2; n++) for (let j = 0; j < 2; j++) {
        let d = 0;
        for (let k = 0; k < 3; k++) d += v[k] * b[n * 6 + k * 2 + j];
        s += d * w[n * 2 + j];
      }
      return s;
    };
    tidy(() => {
      const v = leaf(vs, [3]);
      const b = leaf(bs, [2, 3, 2]);
      F.matmul(v, b).mul(tensor(w, [2, 2])).sum().backward();
      expectClose(vals(v.grad!), numericGrad((x) => ref(x, f32(bs)), f32(vs)), 1e-4, 1e-5);
      expectClose(vals(b.grad!), numericGrad((x) => ref(f32(vs), x), f32(bs)), 1e-4, 1e-5);
    });
  });
});

describe('elementwise gradients against float64 central differences', () => {
  const pos = [0.5, 1.25, 2, 3.5, 0.8, 1.1];
  const mixed = [-1.5, -0.3, 0.4, 1.2, 2.5, -2.2];
  const w = [1, -2, 0.5, 3, -1, 2];
  const dot = (ys: number[]): number => ys.reduce((a, y, i) => a + y * w[i], 0);

  const unaryCases: [string, (x: Tensor) => Tensor, (x: number) => number, number[]][] = [
    ['x.pow(3)', (x) => x.pow(3), (x) => x ** 3, mixed],
    ['x.pow(0.5)', (x) => x.pow(0.5), (x) => x ** 0.5, pos],
    ['x.pow(-2)', (x) => x.pow(-2), (x) => x ** -2, pos],
    ['F.pow(2, x)', (x) => F.pow(2, x), (x) => 2 ** x, mixed],
    ['x.sqrt()', (x) => x.sqrt(), Math.sqrt, pos],
    ['x.exp()', (x) => x.exp(), Math.exp, mixed],
    ['x.log()', (x) => x.log(), Math.log, pos],
    ['x.div(4)', (x) => x.div(4), (x) => x / 4, mixed],
    ['F.div(3, x)', (x) => F.div(3, x), (x) => 3 / x, mixed],
    ['F.rsqrt(x)', (x) => F.rsqrt(x), (x) => 1 / Math.sqrt(x), pos],
    ['F.reciprocal(x)', (x) => F.reciprocal(x), (x) => 1 / x, mixed],
    ['x.square()', (x) => x.square(), (x) => x * x, mixed],
  ];
  for (const [name, op, ref, xs] of unaryCases) {
    it(`${name} at ${JSON.stringify(xs)}`, () => {
      const xs32 = f32(xs);
      const { y, g } = gradOf(op, xs, [2, 3], w);
      expectClose(y, xs32.map(ref), 1e-5, 1e-6, `${name} values`);
      expectClose(g, numericGrad((x) => dot(x.map(ref)), xs32), 1e-4, 1e-5, `${name} grad`);
    });
  }

  const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number, number[], number[]][] = [
    ['a.pow(b)', (a, b) => a.pow(b), (a, b) => a ** b, pos, mixed],
    ['a.div(b)', (a, b) => a.div(b), (a, b) => a / b, mixed, pos],
    ['a.mul(b)', (a, b) => a.mul(b), (a, b) => a * b, mixed, pos],
    ['a.sub(b)', (a, b) => a.sub(b), (a, b) => a - b, mixed, pos],
  ];
  for (const [name, op, ref, as, bs] of binaryCases) {
    it(`${name}: gradients for both operands`, () => {
      const a32 = f32(as);
      const b32 = f32(bs);
      tidy(() => {
        const a = leaf(as, [2, 3]);
        const b = leaf(bs, [2, 3]);
        const y = op(a, b);
        expectClose(vals(y), a32.map((v, i) => ref(v, b32[i])), 1e-5, 1e-6, `${name} values`);
        y.mul(tensor(w, [2, 3])).sum().backward();
        expectClose(vals(a.grad!), numericGrad((x) => dot(x.map((v, i) => ref(v, b32[i]))), a32), 1e-4, 1e-5, `${name} grad a`);
        expectClose(vals(b.grad!), numericGrad((x) => dot(a32.map((v, i) => ref(v, x[i]))), b32), 1e-4, 1e-5, `${name} grad b`);
      });
    });
  }

  it('a.div(b) with b broadcast [2, 3] / [3]: grad of b sums over rows', () => {
    const as = f32(mixed);
    const bs = f32([1.5, -2, 0.75]);
    tidy(() => {
      const a = leaf(as, [2, 3]);
      const b = leaf(bs, [3]);
      a.div(b).mul(tensor(w, [2, 3])).sum().backward();
      const ref = (bb: number[]): number => dot(as.map((v, i) => v / bb[i % 3]));
      expectClose(vals(b.grad!), numericGrad(ref, bs), 1e-4, 1e-5);
    });
  });
});

describe('softmax, variance, clamp', () => {
  it('softmax along dim 0 of a [3, 2, 2] tensor: columns sum to 1; gradient by central differences', () => {
    const xs = range(12, (i) => Math.cos(i * 1.3) * 2);
    const ws = range(12, (i) => (i % 3) - 1 + i * 0.1);
    const ref = (x: number[]): number[] => {
      const out = new Array(12).fill(0);
      for (let r = 0; r < 4; r++) {
        const col = [0, 1, 2].map((k) => x[k * 4 + r]);
        const m = Math.max(...col);
        const e = col.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        e.forEach((v, k) => (out[k * 4 + r] = v / s));
      }
      return out;
    };
    const xs32 = f32(xs);
    const { y, yShape, g } = gradOf((x) => F.softmax(x, 0), xs, [3, 2, 2], ws);
    expect(yShape).toEqual([3, 2, 2]);
    expectClose(y, ref(xs32), 1e-5, 1e-6);
    for (let r = 0; r < 4; r++) expect(y[r] + y[4 + r] + y[8 + r]).toBeCloseTo(1, 6);
    expectClose(g, numericGrad((x) => ref(x).reduce((a, v, i) => a + v * ws[i], 0), xs32), 1e-4, 1e-5);
  });

  it('logSoftmax along dim 0 of [3, 2, 2] equals log(softmax)', () => {
    tidy(() => {
      const x = tensor(range(12, (i) => Math.sin(i)), [3, 2, 2]);
      expectClose(vals(F.logSoftmax(x, 0)), vals(F.softmax(x, 0)).map(Math.log), 1e-5, 1e-6);
    });
  });

  it('variance of [1, 2, 3, 4] is unbiased by default (5/3); unbiased false gives 1.25', () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4]);
      expectClose(vals(F.variance(x)), [5 / 3]);
      expectClose(vals(F.variance(x, 0, { unbiased: false })), [1.25]);
    });
  });

  it('variance over dim 1 of [2, 3] with keepDim, and its gradient 2(x − mean)/(n − 1)', () => {
    const xs = [1, 2, 6, -1, 0, 4];
    const { y, yShape, g } = gradOf((x) => F.variance(x, 1, { keepDim: true }), xs, [2, 3], [1, 2]);
    expect(yShape).toEqual([2, 1]);
    expectClose(y, [((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2, ((-1 - 1) ** 2 + (0 - 1) ** 2 + (4 - 1) ** 2) / 2]);
    expectClose(g, [-2, -1, 3, -4, -2, 6].map((d) => d));
    // row 0: 2(x − 3)/2 · 1 = [−2, −1, 3]; row 1: 2(x − 1)/2 · 2 = [−4, −2, 6]
  });

  it('variance over non-adjacent dims [0, 2] of [2, 2, 2]', () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
      // j = 0: {1, 2, 5, 6} mean 3.5 → Σd² = 6.25+2.25+2.25+6.25 = 17 → 17/3; j = 1: {3, 4, 7, 8} → same
      expectClose(vals(F.variance(x, [0, 2])), [17 / 3, 17 / 3]);
    });
  });

  it('clamp(x, −1, 1): values, and gradient 1 where −1 ≤ x ≤ 1 (inclusive, as PyTorch), else 0', () => {
    const { y, g } = gradOf((x) => F.clamp(x, -1, 1), [-2, -1, -0.5, 0, 1, 1.5], [6], [1, 2, 3, 4, 5, 6]);
    expect(y).toEqual([-1, -1, -0.5, 0, 1, 1]);
    expect(g).toEqual([0, 2, 3, 4, 5, 0]);
  });

  it('clamp with only a lower bound (0): gradient 0 below', () => {
    const { y, g } = gradOf((x) => F.clamp(x, 0), [-2, 0.5, 3], [3], [1, 1, 1]);
    expect(y).toEqual([0, 0.5, 3]);
    expect(g).toEqual([0, 1, 1]);
  });
});

describe("conv1d padding 'same'", () => {
  it("odd kernel 3 [1, 0, −1] on [1, 2, 3, 4, 5]: pads 1 each side", () => {
    tidy(() => {
      const y = F.conv1d(tensor([1, 2, 3, 4, 5], [1, 1, 5]), tensor([1, 0, -1], [1, 1, 3]), null, { padding: 'same' });
      expect(y.shape).toEqual([1, 1, 5]);
      expect(vals(y)).toEqual([-2, -2, -2, -2, 4]);
    });
  });

  it("even kernel 4 [1, 2, 3, 4]: pads 1 left, 2 right (the extra cell goes right, as PyTorch)", () => {
    tidy(() => {
      const y = F.conv1d(tensor([1, 2, 3, 4, 5], [1, 1, 5]), tensor([1, 2, 3, 4], [1, 1, 4]), null, { padding: 'same' });
      expect(y.shape).toEqual([1, 1, 5]);
      expect(vals(y)).toEqual([20, 30, 40, 26, 14]);
    });
  });

  it("kernel 3 dilation 2 with bias, 2 in → 1 out channels: pads 2 each side", () => {
    tidy(() => {
      const x = tensor([1, 2, 3, 4, 5, 10, 20, 30, 40, 50], [1, 2, 5]);
      const w = tensor([1, 0, 1, 0, 1, 0], [1, 2, 3]); // ch0: x[i−2] + x[i+2]; ch1: x[i]
      const b = tensor([0.5]);
      const y = F.conv1d(x, w, b, { padding: 'same', dilation: 2 });
      expect(y.shape).toEqual([1, 1, 5]);
      expect(vals(y)).toEqual([3 + 10, 4 + 20, 1 + 5 + 30, 2 + 40, 3 + 50].map((v) => v + 0.5));
    });
  });

  it("gradients of conv1d 'same' (k 4, 2 → 3 channels, batch 2) by central differences", () => {
    const N = 2, C = 2, L = 6, O = 3, K = 4;
    const xs = f32(range(N * C * L, (i) => Math.sin(i * 0.7)));
    const ws = f32(range(O * C * K, (i) => Math.cos(i * 0.9) * 0.5));
    const up = range(N * O * L, (i) => ((i * 5) % 7) - 3);
    const ref = (x: number[], w: number[]): number => {
      let s = 0;
      for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < L; i++) {
        let acc = 0;
        for (let c = 0; c < C; c++) for (let t = 0; t < K; t++) {
          const pos = i + t - 1; // left pad ⌊3/2⌋ = 1
          if (pos >= 0 && pos < L) acc += w[(o * C + c) * K + t] * x[(n * C + c) * L + pos];
        }
        s += acc * up[(n * O + o) * L + i];
      }
      return s;
    };
    tidy(() => {
      const x = leaf(xs, [N, C, L]);
      const w = leaf(ws, [O, C, K]);
      const y = F.conv1d(x, w, null, { padding: 'same' });
      expect(y.shape).toEqual([N, O, L]);
      y.mul(tensor(up, [N, O, L])).sum().backward();
      expectClose(vals(x.grad!), numericGrad((v) => ref(v, ws), xs), 1e-4, 1e-5, 'grad x');
      expectClose(vals(w.grad!), numericGrad((v) => ref(xs, v), ws), 1e-4, 1e-5, 'grad w');
    });
  });
});
