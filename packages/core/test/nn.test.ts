/** nn modules: PyTorch-style names, state dicts, train/eval, BatchNorm statistics, Dropout, seeded init. */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, manualSeed, nn, randn, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import { counts, expectClose, vals } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

function convNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1 }),
    new nn.BatchNorm2d({ numFeatures: 3 }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 3 * 4 * 4, outFeatures: 5 }),
  );
}

describe('parameter and buffer names (PyTorch style)', () => {
  it("Sequential children are '0', '1', …; BatchNorm2d has running_mean, running_var, num_batches_tracked", () => {
    const net = convNet();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '4.weight', '4.bias']);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['1.running_mean', '1.running_var', '1.num_batches_tracked']);
    expect(Object.keys(net.stateDict())).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '4.weight', '4.bias',
    ]);
    expect(net.stateDict()['1.num_batches_tracked'].dtype).toBe('int32');
    expect(net.stateDict()['1.num_batches_tracked'].shape).toEqual([]);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', '0', '1', '2', '3', '4']);
    net.dispose();
  });

  it("DepthwiseSeparableConv2d: 'depthwise.weight', 'pointwise.weight' (bias false), nested in a Sequential", () => {
    const net = new nn.Sequential(new nn.DepthwiseSeparableConv2d({ inChannels: 4, outChannels: 8, kernelSize: 3, bias: false }));
    expect(net.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['0.depthwise.weight', [4, 1, 3, 3]],
      ['0.pointwise.weight', [8, 4, 1, 1]],
    ]);
    net.dispose();
  });

  it('parameters require grad; buffers do not', () => {
    const bn = new nn.BatchNorm2d({ numFeatures: 2 });
    expect(bn.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(bn.namedBuffers().every(([, b]) => !b.requiresGrad)).toBe(true);
    bn.dispose();
  });
});

describe('stateDict / loadStateDict', () => {
  it('round trip between two differently seeded models gives identical outputs', () => {
    manualSeed(10);
    const a = convNet().eval();
    manualSeed(11);
    const b = convNet().eval();
    const x = randn([2, 2, 4, 4]);
    tidy(() => {
      expect(vals(a.forward(x))).not.toEqual(vals(b.forward(x)));
      const result = b.loadStateDict(a.stateDict());
      expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(vals(b.forward(x))).toEqual(vals(a.forward(x)));
    });
    // the loaded values are copies: changing a does not change b
    tidy(() => a.stateDict()['4.bias'].assign(a.stateDict()['4.bias'].add(1)));
    expect(vals(b.stateDict()['4.bias'])).not.toEqual(vals(a.stateDict()['4.bias']));
    [a, b].forEach((m) => m.dispose());
    x.dispose();
  });

  it('accepts plain { shape, data } entries (num_batches_tracked as bigint, as decoded from a PyTorch file)', () => {
    const bn = new nn.BatchNorm2d({ numFeatures: 2 });
    bn.loadStateDict({
      weight: { shape: [2], data: [2, 3] },
      bias: { shape: [2], data: [0.5, -0.5] },
      running_mean: { shape: [2], data: new Float32Array([1, -1]) },
      running_var: { shape: [2], data: [4, 9] },
      num_batches_tracked: { shape: [], data: [7n], dtype: 'int64' },
    });
    expect(vals(bn.weight!)).toEqual([2, 3]);
    expect(vals(bn.runningVar!)).toEqual([4, 9]);
    expect(vals(bn.numBatchesTracked!)).toEqual([7]);
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    bn.dispose();
  });

  it('strict loading reports missing and unexpected keys by name and changes nothing', () => {
    const net = convNet();
    const before = vals(net.stateDict()['0.weight']);
    const dict: Record<string, Tensor> = { ...net.stateDict() };
    delete dict['1.running_var'];
    delete dict['4.bias'];
    const extra = tensor([1]);
    dict['5.weight'] = extra;
    expect(() => net.loadStateDict(dict)).toThrow(CnnError);
    expect(() => net.loadStateDict(dict)).toThrow('Sequential.loadStateDict: missing keys: 1.running_var, 4.bias; unexpected keys: 5.weight');
    expect(vals(net.stateDict()['0.weight'])).toEqual(before);
    // non-strict: loads what matches and returns the rest
    const result = net.loadStateDict(dict, { strict: false });
    expect(result).toEqual({ missingKeys: ['1.running_var', '4.bias'], unexpectedKeys: ['5.weight'] });
    extra.dispose();
    net.dispose();
  });

  it('a wrong shape is rejected naming the key and both shapes, and leaves the model unchanged', () => {
    manualSeed(12);
    const a = convNet();
    manualSeed(13);
    const b = convNet();
    const bBefore = Object.fromEntries(Object.entries(b.stateDict()).map(([k, t]) => [k, vals(t)]));
    const wrong = tensor(new Float32Array(5 * 47), [5, 47]);
    const dict = { ...a.stateDict(), '4.weight': wrong };
    const mem = counts();
    expect(() => b.loadStateDict(dict)).toThrow("Sequential.loadStateDict: 4.weight: shape [5, 47] in the state dict does not match the model's [5, 48]");
    expect(counts()).toEqual(mem);
    // nothing was copied, including the entries that come before the bad one
    for (const [k, t] of Object.entries(b.stateDict())) expect(vals(t), k).toEqual(bBefore[k]);
    wrong.dispose();
    [a, b].forEach((m) => m.dispose());
  });

  it('loading does not leak: memory is unchanged after a load', () => {
    const a = convNet();
    const b = convNet();
    const before = counts();
    b.loadStateDict(a.stateDict());
    expect(counts()).toEqual(before);
    [a, b].forEach((m) => m.dispose());
  });
});

describe('train / eval', () => {
  it('train() and eval() propagate to every descendant', () => {
    const net = new nn.Sequential(convNet(), new nn.Dropout({ p: 0.5 }), new nn.DepthwiseSeparableConv2d({ inChannels: 1, outChannels: 1, kernelSize: 1 }));
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
    net.train(false);
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.dispose();
  });

  it('BatchNorm2d eval uses the running statistics: y = (x − rm)/√(rv + eps)·w + b', () => {
    const bn = new nn.BatchNorm2d({ numFeatures: 2, eps: 1e-5 });
    bn.loadStateDict({
      weight: { shape: [2], data: [2, 0.5] },
      bias: { shape: [2], data: [1, -1] },
      running_mean: { shape: [2], data: [1, -2] },
      running_var: { shape: [2], data: [4, 0.25] },
      num_batches_tracked: { shape: [], data: [3] },
    });
    bn.eval();
    const xs = [0, 1, 2, 3, 4, 5, 6, 7]; // [1, 2, 2, 2]
    const x = tensor(xs, [1, 2, 2, 2]);
    const y = bn.forward(x);
    const rm = [1, -2];
    const rv = [4, 0.25];
    const w = [2, 0.5];
    const b = [1, -1];
    const expected = xs.map((v, i) => {
      const c = Math.floor(i / 4);
      return ((v - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * w[c] + b[c];
    });
    expectClose(vals(y), expected, 1e-6, 1e-6);
    // eval changes neither the running statistics nor the batch counter
    expect(vals(bn.runningMean!)).toEqual([1, -2]);
    expect(vals(bn.numBatchesTracked!)).toEqual([3]);
    y.dispose();
    x.dispose();
    bn.dispose();
  });

  it('BatchNorm2d training normalises with batch stats and updates running stats (unbiased var, momentum 0.1)', () => {
    const bn = new nn.BatchNorm2d({ numFeatures: 1 });
    const xs = [1, 2, 3, 6]; // [2, 1, 1, 2]
    const x = tensor(xs, [2, 1, 1, 2]);
    const y = bn.forward(x);
    const m = 3;
    const biased = xs.reduce((a, v) => a + (v - m) ** 2, 0) / 4; // 3.5
    expectClose(vals(y), xs.map((v) => (v - m) / Math.sqrt(biased + 1e-5)), 1e-5, 1e-6);
    expectClose(vals(bn.runningMean!), [0.1 * m]);
    expectClose(vals(bn.runningVar!), [0.9 + 0.1 * ((biased * 4) / 3)]);
    expect(vals(bn.numBatchesTracked!)).toEqual([1]);
    y.dispose();
    x.dispose();
    bn.dispose();
  });

  it('Dropout eval is the identity; train zeroes about p of the elements and scales the rest by 1/(1−p)', () => {
    for (const p of [0.2, 0.5, 0.8]) {
      const drop = new nn.Dropout({ p });
      const n = 20000;
      const x = tensor(new Float32Array(n).fill(1));
      drop.eval();
      const e = drop.forward(x);
      expect(vals(e).every((v) => v === 1)).toBe(true);
      drop.train();
      manualSeed(5);
      const t = drop.forward(x);
      const v = vals(t);
      const zeros = v.filter((z) => z === 0).length;
      const scale = Math.fround(1 / (1 - p));
      expect(v.every((z) => z === 0 || z === scale), `p=${p} values`).toBe(true);
      // binomial standard deviation √(n p (1−p)) ≤ 71; allow 5σ
      expect(Math.abs(zeros - p * n), `p=${p} zeros ${zeros}`).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
      // the mean is preserved in expectation
      expect(Math.abs(v.reduce((a, z) => a + z, 0) / n - 1)).toBeLessThan(0.05);
      [x, e, t].forEach((u) => u.dispose());
    }
  });

  it('Dropout p = 0 and p = 1 in training', () => {
    const x = tensor([1, 2, 3]);
    const d0 = new nn.Dropout({ p: 0 }).forward(x);
    expect(vals(d0)).toEqual([1, 2, 3]);
    const d1 = new nn.Dropout({ p: 1 }).forward(x);
    expect(vals(d1)).toEqual([0, 0, 0]);
    [x, d0, d1].forEach((t) => t.dispose());
  });
});

describe('initialisation', () => {
  it('manualSeed makes initialisation reproducible; a different seed differs', () => {
    manualSeed(42);
    const a = convNet();
    manualSeed(42);
    const b = convNet();
    manualSeed(43);
    const c = convNet();
    for (const [k, t] of Object.entries(a.stateDict())) expect(vals(b.stateDict()[k]), k).toEqual(vals(t));
    expect(vals(c.stateDict()['0.weight'])).not.toEqual(vals(a.stateDict()['0.weight']));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('default Linear(400 → 300) init is U(±1/√400 = ±0.05): min/max within and close to the bound', () => {
    manualSeed(7);
    const lin = new nn.Linear({ inFeatures: 400, outFeatures: 300 });
    const bound = 1 / Math.sqrt(400);
    for (const [name, t] of lin.namedParameters()) {
      const v = vals(t);
      const lo = Math.min(...v);
      const hi = Math.max(...v);
      expect(lo, name).toBeGreaterThanOrEqual(-bound);
      expect(hi, name).toBeLessThanOrEqual(bound);
      if (name === 'weight') {
        // 120000 uniform samples: the extremes are within 1e-3 of the bound
        expect(lo).toBeLessThan(-bound * 0.999);
        expect(hi).toBeGreaterThan(bound * 0.999);
        const mean = v.reduce((a, x) => a + x, 0) / v.length;
        expect(Math.abs(mean)).toBeLessThan(1e-3);
      }
    }
    lin.dispose();
  });

  it('default Conv2d(8 → 16, k 3, groups 2) init bound is 1/√(fanIn) with fanIn = 8/2·3·3 = 36', () => {
    manualSeed(8);
    const conv = new nn.Conv2d({ inChannels: 8, outChannels: 16, kernelSize: 3, groups: 2 });
    expect(conv.weight.shape).toEqual([16, 4, 3, 3]);
    const bound = 1 / 6;
    const v = vals(conv.weight);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound * 0.95);
    expect(Math.max(...vals(conv.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
    conv.dispose();
  });
});
