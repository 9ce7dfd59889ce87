/**
 * Issue 13's activations (ReLU6, Hardtanh, Hardswish, Hardsigmoid, SiLU, Mish, Softplus, PReLU) and unfold / fold:
 * values against their definitions, PyTorch's special values at the kinks, gradients against central differences,
 * unfold + matmul = conv2d, fold as unfold's adjoint, the layers' options and their eval-mode fusion. The PyTorch
 * fixtures of @cnn/conformance check every op against torch too, on every backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, memory, nn, noGrad, randn, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import { expectClose, vals } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

/** ∑ f(x)·w over a float64 copy, for central differences of activations given elementwise. */
function gradOf(fn: (x: Tensor) => Tensor, x: number[]): number[] {
  const t = tensor(x);
  t.requiresGrad = true;
  const y = fn(t);
  y.sum().backward();
  const g = vals(t.grad!);
  t.dispose();
  y.dispose();
  return g;
}

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const DEFS: [string, (x: Tensor) => Tensor, (x: number) => number][] = [
  ['relu6', F.relu6, (x) => Math.min(Math.max(x, 0), 6)],
  ['hardtanh', (x) => F.hardtanh(x, -0.5, 2), (x) => Math.min(Math.max(x, -0.5), 2)],
  ['hardswish', F.hardswish, (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6],
  ['hardsigmoid', F.hardsigmoid, (x) => Math.min(Math.max(x + 3, 0), 6) / 6],
  ['silu', F.silu, (x) => x * sig(x)],
  ['mish', F.mish, (x) => x * Math.tanh(Math.log1p(Math.exp(x)))],
  ['softplus', F.softplus, (x) => (x > 20 ? x : Math.log1p(Math.exp(x)))],
  ['softplus(2, 3)', (x) => F.softplus(x, 2, 3), (x) => (2 * x > 3 ? x : Math.log1p(Math.exp(2 * x)) / 2)],
];

describe('activations', () => {
  // Away from the kinks (±3, 0, 6, the softplus threshold), so central differences are meaningful.
  const xs = [-7.3, -4.1, -2.2, -1.1, -0.37, 0.21, 0.9, 1.7, 2.6, 4.4, 5.2, 8.5, 25.5];
  for (const [name, fn, def] of DEFS) {
    it(`${name}: values and gradient`, () => {
      const x = tensor(xs);
      const y = fn(x);
      expectClose(vals(y), xs.map(def), 1e-5, 1e-6, name);
      const h = 1e-4;
      const numeric = xs.map((v) => (def(v + h) - def(v - h)) / (2 * h));
      expectClose(gradOf(fn, xs), numeric, 1e-3, 1e-4, `${name} grad`);
      x.dispose();
      y.dispose();
    });
  }

  it("gradients at the kinks and at NaN follow PyTorch 1.13's vectorised kernels", () => {
    const nan = Number.NaN;
    // relu6 / hardtanh: dy only strictly inside (min, max); NaN gives 0.
    expect(gradOf(F.relu6, [0, 6, 3, nan, -1, 7])).toEqual([0, 0, 1, 0, 0, 0]);
    // hardswish: 0 below -3, x/3 + 1/2 on [-3, 3), 1 from 3 on; NaN stays NaN.
    expect(gradOf(F.hardswish, [-3, 3, -4, 4, 0, nan])).toEqual([-0.5, 1, 0, 1, 0.5, nan]);
    // hardsigmoid: 1/6 strictly inside (-3, 3), else 0 (NaN too).
    expectClose(gradOf(F.hardsigmoid, [-3, 3, 0, nan]), [0, 0, 1 / 6, 0], 1e-6, 0);
    // softplus at its threshold: x·β = threshold is not above it, so the smooth branch.
    expectClose(gradOf((x) => F.softplus(x, 1, 2), [2, 2.5]), [sig(2), 1], 1e-6, 0);
  });

  it('special values: hardswish(-inf) = NaN, silu(±inf) = inf / NaN, mish(-inf) = NaN, softplus(-inf) = 0', () => {
    const x = tensor([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN, -0]);
    const got = (fn: (t: Tensor) => Tensor): number[] => tidy(() => vals(fn(x)));
    expect(got(F.hardswish).slice(0, 3)).toEqual([Number.NaN, Infinity, Number.NaN]);
    expect(got(F.silu).slice(0, 3)).toEqual([Number.NaN, Infinity, Number.NaN]);
    expect(got(F.mish).slice(0, 3)).toEqual([Number.NaN, Infinity, Number.NaN]);
    expect(got(F.softplus)).toEqual([0, Infinity, Number.NaN, Math.fround(Math.LN2)]);
    expect(got(F.hardsigmoid)).toEqual([0, 1, Number.NaN, 0.5]);
    x.dispose();
  });

  it('prelu: one shared weight or one per channel, gradients for input and weight', () => {
    const x = randn([2, 3, 4, 5]);
    x.requiresGrad = true;
    const w = tensor([0.1, -0.3, 0.7]);
    w.requiresGrad = true;
    const dy = randn([2, 3, 4, 5]);
    const y = F.prelu(x, w);
    F.mul(y, dy).sum().backward();
    const xv = vals(x);
    const dyv = vals(dy);
    const wv = [0.1, -0.3, 0.7];
    const c = (i: number): number => Math.floor(i / 20) % 3;
    expectClose(vals(y), xv.map((v, i) => (v > 0 ? v : Math.fround(wv[c(i)]) * v)), 1e-6, 0, 'y');
    expectClose(vals(x.grad!), dyv.map((g, i) => (xv[i] > 0 ? g : Math.fround(wv[c(i)]) * g)), 1e-6, 0, 'dx');
    const dw = [0, 0, 0];
    xv.forEach((v, i) => (dw[c(i)] += v > 0 ? 0 : v * dyv[i]));
    expectClose(vals(w.grad!), dw, 1e-5, 1e-6, 'dw');

    const shared = tensor([0.25]);
    shared.requiresGrad = true;
    const z = F.prelu(x, shared);
    z.sum().backward();
    expectClose(vals(shared.grad!), [xv.reduce((a, v) => a + (v > 0 ? 0 : v), 0)], 1e-5, 1e-6, 'shared dw');
    expect(() => F.prelu(x, tensor([1, 2]))).toThrow(/prelu: weight must be 1-D with 1 element or one per channel \(3/);
    [x, w, dy, y, z, shared].forEach((t) => t.dispose());
  });

  it('layers keep their options and PReLU its weight under PyTorch\'s name', () => {
    expect(new nn.Hardtanh().options).toEqual({ minVal: -1, maxVal: 1 });
    expect(new nn.Softplus({ beta: 2 }).options).toEqual({ beta: 2, threshold: 20 });
    const p = new nn.PReLU({ numParameters: 3 });
    expect(p.options).toEqual({ numParameters: 3, init: 0.25 });
    expect(Object.keys(p.stateDict())).toEqual(['weight']);
    expect(vals(p.weight)).toEqual([0.25, 0.25, 0.25]);
    expect(p.typeName).toBe('PReLU');
    expect(new nn.SiLU().typeName).toBe('SiLU');
    p.dispose();
    expect(() => new nn.Hardtanh({ minVal: 1, maxVal: 1 })).toThrow(/Hardtanh: maxVal must be greater than minVal/);
    expect(() => new nn.Softplus({ beta: 0 })).toThrow(/Softplus: beta must be non-zero/);
    expect(() => new nn.PReLU({ numParameters: 0 })).toThrow(/PReLU: numParameters must be an integer ≥ 1/);
    expect(() => new nn.PReLU({ nParams: 2 } as never)).toThrow(/PReLU: unknown option\(s\) 'nParams'/);
  });

  it('Conv2d → BatchNorm2d → Hardswish / SiLU / ReLU6 / Hardsigmoid / Mish / Softplus fuse in eval, with the same values', () => {
    for (const act of [new nn.Hardswish(), new nn.SiLU(), new nn.ReLU6(), new nn.Hardsigmoid(), new nn.Mish(), new nn.Softplus({ beta: 2 }), new nn.Hardtanh({ minVal: -0.5, maxVal: 0.5 })]) {
      const conv = new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1 });
      const bn = new nn.BatchNorm2d({ numFeatures: 4 });
      const model = new nn.Sequential(conv, bn, act);
      model.eval();
      const x = randn([2, 3, 6, 6]);
      const fused = noGrad(() => model.forward(x));
      const steps = noGrad(() => tidy(() => act.forward(bn.forward(conv.forward(x)))));
      expectClose(vals(fused), vals(steps), 1e-5, 1e-6, act.typeName);
      [x, fused, steps].forEach((t) => t.dispose());
      model.dispose();
    }
  });
});

/** conv2d as unfold + matmul: [O, C·kH·kW] · [N, C·kH·kW, L] → [N, O, L] → [N, O, oH, oW]. */
function convByUnfold(x: Tensor, w: Tensor, opts: { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number | [number, number] }): Tensor {
  return tidy(() => {
    const [o, c, kH, kW] = w.shape;
    const cols = F.unfold(x, { kernelSize: [kH, kW], ...opts });
    const y = F.matmul(w.reshape([o, c * kH * kW]), cols);
    const ref = F.conv2d(x, w, null, opts);
    return y.reshape(ref.shape);
  });
}

describe('unfold / fold', () => {
  const configs: { shape: number[]; k: [number, number]; opts: { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number | [number, number] } }[] = [
    { shape: [2, 3, 7, 6], k: [3, 3], opts: {} },
    { shape: [2, 3, 7, 6], k: [3, 3], opts: { stride: 2, padding: 1 } },
    { shape: [1, 4, 9, 8], k: [2, 3], opts: { stride: [2, 1], padding: [1, 2], dilation: [2, 1] } },
    { shape: [3, 2, 6, 6], k: [1, 1], opts: { stride: 3 } },
    { shape: [1, 2, 5, 11], k: [3, 2], opts: { dilation: [1, 3], padding: [0, 2], stride: [1, 3] } },
  ];
  for (const { shape, k, opts } of configs) {
    it(`unfold + matmul = conv2d: ${JSON.stringify(shape)} kernel ${k} ${JSON.stringify(opts)}`, () => {
      const x = randn(shape);
      const w = randn([5, shape[1], ...k]);
      const viaUnfold = convByUnfold(x, w, opts);
      const ref = F.conv2d(x, w, null, opts);
      expect(viaUnfold.shape).toEqual(ref.shape);
      expectClose(vals(viaUnfold), vals(ref), 1e-4, 1e-5, 'conv');
      [x, w, viaUnfold, ref].forEach((t) => t.dispose());
    });
  }

  it("layout [N, C·kH·kW, L] with the kernel's positions fastest after the channel, as PyTorch", () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    const cols = F.unfold(x, { kernelSize: 2 });
    expect(cols.shape).toEqual([1, 4, 4]);
    expect(vals(cols)).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
    const padded = F.unfold(x, { kernelSize: 3, padding: 1, stride: 2 });
    expect(padded.shape).toEqual([1, 9, 4]);
    expect(vals(padded).slice(0, 4)).toEqual([0, 0, 0, 5]); // kernel (0, 0) at the four block origins
    const back = F.fold(cols, { outputSize: 3, kernelSize: 2 });
    expect(vals(back)).toEqual([1, 4, 3, 8, 20, 12, 7, 16, 9]); // each cell times the blocks holding it
    [x, cols, padded, back].forEach((t) => t.dispose());
  });

  it('fold is the adjoint of unfold, and the gradient of each is the other', () => {
    const opts = { kernelSize: [3, 2] as [number, number], stride: [2, 1] as [number, number], padding: 1, dilation: [1, 2] as [number, number] };
    const x = randn([2, 3, 6, 7]);
    x.requiresGrad = true;
    const u = F.unfold(x, opts);
    const c = randn(u.shape);
    c.requiresGrad = true;
    // <unfold(x), c> = <x, fold(c)>
    const f = F.fold(c, { ...opts, outputSize: [6, 7] });
    const lhs = vals(F.mul(u, c).sum())[0];
    const rhs = vals(F.mul(x, f).sum())[0];
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lhs)));
    F.mul(u, c).sum().backward();
    expectClose(vals(x.grad!), vals(f), 1e-5, 1e-6, 'unfold grad = fold(dy)');
    expectClose(vals(c.grad!), vals(u), 1e-6, 0, 'and unfold(x) for c');
    c.grad = null;
    x.grad = null;
    F.mul(f, x).sum().backward();
    expectClose(vals(c.grad!), vals(u), 1e-6, 0, 'fold grad = unfold(dy)');
  });

  it('unbatched inputs, layers, errors, and no leaks', () => {
    const before = memory();
    tidy(() => {
      const x = randn([3, 5, 5]);
      const u = new nn.Unfold({ kernelSize: 2, stride: 1 });
      expect(u.forward(x).shape).toEqual([12, 16]);
      const fd = new nn.Fold({ outputSize: [5, 5], kernelSize: 2 });
      expect(fd.forward(u.forward(x)).shape).toEqual([3, 5, 5]);
      expect(fd.options).toEqual({ outputSize: [5, 5], kernelSize: 2 });
    });
    const x = randn([1, 2, 3, 3]);
    expect(() => F.unfold(x, { kernelSize: 4 })).toThrow(/unfold: spatial size \[3, 3\] with kernelSize \[4, 4\].*sliding blocks; both must be ≥ 1/);
    expect(() => F.unfold(x, { kernelSize: 2, padding: -1 })).toThrow(/unfold: padding must be ≥ 0/);
    expect(() => tidy(() => F.fold(randn([1, 7, 4]), { outputSize: 3, kernelSize: 2 }))).toThrow(/fold: .*must be divisible by the kernel's 4 elements/);
    expect(() => tidy(() => F.fold(randn([1, 8, 3]), { outputSize: 3, kernelSize: 2 }))).toThrow(/fold: .*must be the 2 × 2 = 4 sliding blocks/);
    expect(() => new nn.Unfold({ kernelSize: 2, strides: 2 } as never)).toThrow(/Unfold: unknown option\(s\) 'strides'/);
    x.dispose();
    const after = memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataIds).toBe(before.numDataIds);
  });
});
