/**
 * GroupNorm, LayerNorm, InstanceNorm2d (F and nn): values and gradients against a float64 reference and its central
 * differences, PyTorch's train/eval semantics of InstanceNorm2d, state-dict names, the layer convention, memory.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, manualSeed, nn, noGrad, randn, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import { counts, expectClose, numericGrad, vals } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

/** Float64 normalisation: element i belongs to statistics group key(i) and uses parameters w[param(i)], b[param(i)]. */
function normRef(x: readonly number[], key: (i: number) => number, param: (i: number) => number, eps: number, w?: readonly number[], b?: readonly number[]): number[] {
  const sum = new Map<number, number[]>();
  x.forEach((v, i) => (sum.get(key(i)) ?? sum.set(key(i), []).get(key(i))!).push(v));
  const stats = new Map<number, [number, number]>();
  for (const [k, vs] of sum) {
    const m = vs.reduce((a, v) => a + v, 0) / vs.length;
    stats.set(k, [m, vs.reduce((a, v) => a + (v - m) ** 2, 0) / vs.length]);
  }
  return x.map((v, i) => {
    const [m, s2] = stats.get(key(i))!;
    return ((v - m) / Math.sqrt(s2 + eps)) * (w ? w[param(i)] : 1) + (b ? b[param(i)] : 0);
  });
}

const prod = (s: readonly number[]): number => s.reduce((a, d) => a * d, 1);
const pattern = (n: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + 0.4));
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i], 0);

interface Case {
  name: string;
  shape: number[];
  paramShape: number[] | null;
  key: (i: number) => number;
  param: (i: number) => number;
  eps: number;
  run: (x: Tensor, w: Tensor | null, b: Tensor | null) => Tensor;
}

function groupCase(shape: number[], g: number, affine: boolean, eps = 1e-5): Case {
  const [, c] = shape;
  const s = prod(shape.slice(2));
  return {
    name: `groupNorm ${shape.join('x')} groups ${g}${affine ? ' affine' : ''}`,
    shape, paramShape: affine ? [c] : null, eps,
    key: (i) => Math.floor(i / (s * (c / g))),
    param: (i) => Math.floor(i / s) % c,
    run: (x, w, b) => F.groupNorm(x, g, w, b, { eps }),
  };
}

function layerCase(shape: number[], k: number, affine: boolean, eps = 1e-5): Case {
  const ns = shape.slice(shape.length - k);
  const m = prod(ns);
  return {
    name: `layerNorm ${shape.join('x')} over ${k}${affine ? ' affine' : ''}`,
    shape, paramShape: affine ? ns : null, eps,
    key: (i) => Math.floor(i / m),
    param: (i) => i % m,
    run: (x, w, b) => F.layerNorm(x, ns, w, b, { eps }),
  };
}

function instanceCase(shape: number[], affine: boolean, eps = 1e-5): Case {
  const [, c] = shape;
  const s = prod(shape.slice(2));
  return {
    name: `instanceNorm ${shape.join('x')}${affine ? ' affine' : ''}`,
    shape, paramShape: affine ? [c] : null, eps,
    key: (i) => Math.floor(i / s),
    param: (i) => Math.floor(i / s) % c,
    run: (x, w, b) => F.instanceNorm(x, null, null, w, b, { eps }),
  };
}

const CASES: Case[] = [
  groupCase([2, 4, 3, 3], 1, true),
  groupCase([2, 4, 3, 3], 2, true),
  groupCase([2, 4, 3, 3], 4, false),
  groupCase([3, 6, 5], 3, true, 1e-3),
  layerCase([3, 5], 1, true),
  layerCase([2, 3, 4], 2, false),
  layerCase([2, 2, 3, 3], 3, true, 0.1),
  instanceCase([2, 3, 2, 3], true),
  instanceCase([2, 2, 5], false),
];

describe('F.groupNorm / layerNorm / instanceNorm against float64 references', () => {
  for (const c of CASES) {
    it(`${c.name}: values, and gradients of x, weight, bias against central differences`, () => {
      manualSeed(3);
      const n = prod(c.shape);
      const xs = pattern(n).map((v, i) => Math.fround(2 * v + 0.3 * Math.cos(i) + 1.5));
      const np = c.paramShape ? prod(c.paramShape) : 0;
      const ws = Array.from({ length: np }, (_, i) => Math.fround(1 + 0.5 * Math.sin(i + 1)));
      const bs = Array.from({ length: np }, (_, i) => Math.fround(0.25 * Math.cos(3 * i)));
      const go = pattern(n).map((v, i) => Math.fround(v * 0.7 + ((i % 3) - 1) * 0.2));
      const before = counts();
      tidy(() => {
        const x = tensor(Float32Array.from(xs), c.shape);
        x.requiresGrad = true;
        const w = c.paramShape ? tensor(Float32Array.from(ws), c.paramShape) : null;
        const b = c.paramShape ? tensor(Float32Array.from(bs), c.paramShape) : null;
        if (w && b) w.requiresGrad = b.requiresGrad = true;
        const y = c.run(x, w, b);
        expect(y.shape).toEqual(c.shape);
        const ref = (xv: readonly number[], wv = c.paramShape ? ws : undefined, bv = c.paramShape ? bs : undefined): number[] =>
          normRef(xv, c.key, c.param, c.eps, wv, bv);
        expectClose(vals(y), ref(xs), 1e-4, 1e-5, 'forward');
        y.mul(tensor(Float32Array.from(go), c.shape)).sum().backward();
        expectClose(vals(x.grad!), numericGrad((v) => dot(ref(v), go), xs), 1e-3, 1e-4, 'grad x');
        if (w && b) {
          expectClose(vals(w.grad!), numericGrad((v) => dot(ref(xs, v, bs), go), ws), 1e-3, 1e-4, 'grad weight');
          expectClose(vals(b.grad!), numericGrad((v) => dot(ref(xs, ws, v), go), bs), 1e-3, 1e-4, 'grad bias');
        }
      });
      expect(counts()).toEqual(before);
    });
  }

  it('the variance is two-pass: a mean of 1e4 with unit spread still normalises to float32 accuracy', () => {
    const xs = pattern(64).map((v) => Math.fround(1e4 + v));
    const y = F.layerNorm(tensor(Float32Array.from(xs), [2, 32]), 32);
    expectClose(vals(y), normRef(xs, (i) => Math.floor(i / 32), () => 0, 1e-5), 2e-3, 2e-3);
    y.dispose();
  });

  it('inference (no gradient) keeps only the output: the intermediates are freed at once', () => {
    const x = randn([2, 4, 5, 5]);
    const before = counts();
    const outs = noGrad(() => [F.groupNorm(x, 2), F.layerNorm(x, [5, 5]), F.instanceNorm(x)]);
    const after = counts();
    expect(after.numTensors - before.numTensors).toBe(3);
    expect(after.numDataIds - before.numDataIds).toBe(3);
    outs.forEach((t) => t.dispose());
    x.dispose();
  });
});

describe('F.instanceNorm running statistics (PyTorch semantics)', () => {
  it('useInputStats updates them with the batch average of per-instance means and unbiased variances', () => {
    const xs = [1, 2, 4, 7, -1, 0, 3, 2, 5, 5, 6, 9, 0, 1, 1, 0]; // [2, 2, 2, 2]
    tidy(() => {
      const rm = tensor([0.5, -0.5]);
      const rv = tensor([1, 2]);
      F.instanceNorm(tensor(xs, [2, 2, 2, 2]), rm, rv, null, null, { momentum: 0.3 });
      const inst = [0, 1, 2, 3].map((k) => xs.slice(4 * k, 4 * k + 4));
      const mean = inst.map((v) => v.reduce((a, u) => a + u, 0) / 4);
      const unbiased = inst.map((v, k) => v.reduce((a, u) => a + (u - mean[k]) ** 2, 0) / 3);
      // instances k = n·C + c: channel 0 is instances 0 and 2, channel 1 is 1 and 3
      expectClose(vals(rm), [0.7 * 0.5 + 0.3 * ((mean[0] + mean[2]) / 2), 0.7 * -0.5 + 0.3 * ((mean[1] + mean[3]) / 2)]);
      expectClose(vals(rv), [0.7 * 1 + 0.3 * ((unbiased[0] + unbiased[2]) / 2), 0.7 * 2 + 0.3 * ((unbiased[1] + unbiased[3]) / 2)]);
    });
  });

  it('useInputStats false normalises with the running statistics and leaves them unchanged', () => {
    tidy(() => {
      const rm = tensor([1, -2]);
      const rv = tensor([4, 0.25]);
      const y = F.instanceNorm(tensor([3, 5, 0, -2], [1, 2, 2, 1]), rm, rv, tensor([2, 1]), tensor([0, 1]), { useInputStats: false, eps: 0 });
      expectClose(vals(y), [((3 - 1) / 2) * 2, ((5 - 1) / 2) * 2, (0 + 2) / 0.5 + 1, (-2 + 2) / 0.5 + 1]);
      expect(vals(rm)).toEqual([1, -2]);
      expect(vals(rv)).toEqual([4, 0.25]);
    });
  });
});

describe('nn.GroupNorm, nn.LayerNorm, nn.InstanceNorm2d', () => {
  it("parameters and buffers have PyTorch's names and defaults", () => {
    const gn = new nn.GroupNorm({ numGroups: 2, numChannels: 4 });
    expect(Object.keys(gn.stateDict())).toEqual(['weight', 'bias']);
    expect(vals(gn.weight!)).toEqual([1, 1, 1, 1]);
    expect(new nn.GroupNorm({ numGroups: 2, numChannels: 4, affine: false }).numParameters()).toBe(0);
    const ln = new nn.LayerNorm({ normalizedShape: [3, 2] });
    expect(ln.weight!.shape).toEqual([3, 2]);
    expect(Object.keys(ln.stateDict())).toEqual(['weight', 'bias']);
    expect(Object.keys(new nn.LayerNorm({ normalizedShape: 4, bias: false }).stateDict())).toEqual(['weight']);
    expect(new nn.LayerNorm({ normalizedShape: 4, elementwiseAffine: false }).numParameters()).toBe(0);
    const inorm = new nn.InstanceNorm2d({ numFeatures: 3 });
    expect(Object.keys(inorm.stateDict())).toEqual([]);
    expect(inorm.options).toEqual({ numFeatures: 3, eps: 1e-5, momentum: 0.1, affine: false, trackRunningStats: false });
    const tracked = new nn.InstanceNorm2d({ numFeatures: 3, affine: true, trackRunningStats: true });
    expect(Object.keys(tracked.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    [gn, ln, inorm, tracked].forEach((m) => m.dispose());
  });

  it('follow the layer convention: static layerName, JSON-able options that rebuild an equal layer', () => {
    const layers: nn.Module[] = [
      new nn.GroupNorm({ numGroups: 3, numChannels: 6, eps: 1e-3, affine: false }),
      new nn.LayerNorm({ normalizedShape: 5, elementwiseAffine: true }),
      new nn.InstanceNorm2d({ numFeatures: 2, momentum: 0.2, trackRunningStats: true }),
    ];
    for (const layer of layers) {
      const ctor = layer.constructor as unknown as { layerName: string; new (o: unknown): nn.Module & { options: unknown } };
      expect(ctor.layerName).toBe(layer.typeName);
      const options = JSON.parse(JSON.stringify((layer as unknown as { options: unknown }).options));
      const again = new ctor(options);
      expect(again.options).toEqual(options);
      expect(Object.keys(again.stateDict())).toEqual(Object.keys(layer.stateDict()));
      again.dispose();
      layer.dispose();
    }
  });

  it('layers compute what F does (GroupNorm over [N, C], LayerNorm over [C, H, W])', () => {
    tidy(() => {
      const gn = new nn.GroupNorm({ numGroups: 2, numChannels: 4 });
      const x = randn([3, 4]);
      expectClose(vals(gn.forward(x)), vals(F.groupNorm(x, 2, gn.weight, gn.bias)));
      const ln = new nn.LayerNorm({ normalizedShape: [4, 3, 3] });
      const x4 = randn([2, 4, 3, 3]);
      expectClose(vals(ln.forward(x4)), vals(F.layerNorm(x4, [4, 3, 3], ln.weight, ln.bias)));
      gn.dispose();
      ln.dispose();
    });
  });

  it('InstanceNorm2d without tracked statistics uses instance statistics in train and eval alike', () => {
    tidy(() => {
      const m = new nn.InstanceNorm2d({ numFeatures: 2 });
      const x = randn([2, 2, 3, 3]);
      const train = vals(m.forward(x));
      m.eval();
      expectClose(vals(m.forward(x)), train);
      expectClose(train, vals(F.instanceNorm(x)));
    });
  });

  it('InstanceNorm2d with tracked statistics: training updates them (num_batches_tracked stays 0, as PyTorch); eval uses them', () => {
    tidy(() => {
      const m = new nn.InstanceNorm2d({ numFeatures: 2, trackRunningStats: true, momentum: 0.5 });
      const x = randn([2, 2, 3, 3]);
      const y = m.forward(x);
      expectClose(vals(y), vals(F.instanceNorm(x)));
      const rm = vals(m.runningMean!);
      expect(rm.some((v) => v !== 0)).toBe(true);
      expect(vals(m.numBatchesTracked!)).toEqual([0]);
      m.eval();
      const e = m.forward(x);
      expectClose(vals(e), vals(F.batchNorm(x, m.runningMean, m.runningVar, null, null, { training: false })));
      expect(vals(m.runningMean!)).toEqual(rm);
      m.dispose();
    });
  });

  it('InstanceNorm2d takes an unbatched [C, H, W] input, with gradients', () => {
    tidy(() => {
      const m = new nn.InstanceNorm2d({ numFeatures: 2, affine: true });
      const x = randn([2, 3, 4]);
      x.requiresGrad = true;
      const y = m.forward(x);
      expect(y.shape).toEqual([2, 3, 4]);
      const batched = F.instanceNorm(x.reshape([1, 2, 3, 4]), null, null, m.weight, m.bias);
      expectClose(vals(y), vals(batched));
      y.mul(y).sum().backward();
      expect(x.grad!.shape).toEqual([2, 3, 4]);
      expect(m.weight!.grad!.shape).toEqual([2]);
      m.dispose();
    });
  });

  it('training steps leak nothing: forward, backward, zeroGrad', () => {
    const layers = [
      new nn.GroupNorm({ numGroups: 2, numChannels: 4 }),
      new nn.LayerNorm({ normalizedShape: [4, 3] }),
      new nn.InstanceNorm2d({ numFeatures: 4, affine: true, trackRunningStats: true }),
    ];
    const x = randn([2, 4, 3, 3]);
    const xl = randn([2, 5, 4, 3]);
    for (const layer of layers) {
      const input = layer instanceof nn.LayerNorm ? xl : x;
      const before = counts();
      for (let step = 0; step < 2; step++) {
        tidy(() => layer.forward(input).square().sum().backward());
        layer.zeroGrad();
      }
      expect(counts(), layer.typeName).toEqual(before);
      layer.dispose();
    }
    x.dispose();
    xl.dispose();
  });

  it('BatchNorm1d still works on [N, C] and [N, C, L]', () => {
    tidy(() => {
      const bn = new nn.BatchNorm1d({ numFeatures: 3 });
      for (const shape of [[4, 3], [2, 3, 5]]) {
        const x = randn(shape);
        const y = bn.forward(x);
        const axes = shape.length === 2 ? [0] : [0, 2];
        expectClose(vals(y), vals(x.sub(x.mean(axes, true)).div(F.variance(x, axes, { unbiased: false, keepDim: true }).add(1e-5).sqrt())), 1e-4, 1e-5);
      }
      expect(vals(bn.numBatchesTracked!)).toEqual([2]);
      bn.dispose();
    });
  });
});
