/** Memory: tidy scopes, shared reshape data, model / optimizer disposal, and flat memory over training steps. */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, manualSeed, nn, optim, randn, setBackend, tensor, tidy, zeros, type Tensor } from '@cnn/core';
import { counts, smallNet, vals } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

describe('tidy', () => {
  it('disposes intermediates and keeps the returned tensor', () => {
    const before = counts();
    const y = tidy(() => {
      const a = tensor([1, 2, 3]);
      const b = a.mul(2);
      return b.add(1);
    });
    expect(counts()).toEqual({ numTensors: before.numTensors + 1, numDataIds: before.numDataIds + 1 });
    expect(vals(y)).toEqual([3, 5, 7]);
    y.dispose();
    expect(counts()).toEqual(before);
  });

  it('keeps tensors nested in arrays and objects ({ a: [t1, { b: t2 }], c: t3 })', () => {
    const before = counts();
    const out = tidy(() => {
      const x = tensor([1, 2]);
      const t1 = x.add(1);
      const t2 = x.mul(3);
      const t3 = x.neg();
      x.square(); // dropped
      return { a: [t1, { b: t2 }], c: t3, n: 4, s: 'text' };
    });
    expect(counts().numTensors - before.numTensors).toBe(3);
    expect(counts().numDataIds - before.numDataIds).toBe(3);
    const t1 = out.a[0] as Tensor;
    const t2 = (out.a[1] as { b: Tensor }).b;
    expect(vals(t1)).toEqual([2, 3]);
    expect(vals(t2)).toEqual([3, 6]);
    expect(vals(out.c)).toEqual([-1, -2]);
    [t1, t2, out.c].forEach((t) => t.dispose());
    expect(counts()).toEqual(before);
  });

  it('a tensor returned from a nested tidy moves to the outer scope and is freed there', () => {
    const before = counts();
    let inner: Tensor | null = null;
    tidy(() => {
      inner = tidy(() => tensor([1]).add(1));
      expect(inner.isDisposed).toBe(false);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(counts()).toEqual(before);
  });

  it('keep() exempts a tensor from disposal', () => {
    const before = counts();
    let kept: Tensor | null = null;
    tidy(() => {
      kept = tensor([1, 2]).keep();
      tensor([3]);
    });
    expect(kept!.isDisposed).toBe(false);
    expect(counts().numTensors - before.numTensors).toBe(1);
    kept!.dispose();
    expect(counts()).toEqual(before);
  });

  it('an error thrown inside tidy still frees its tensors, and the error propagates', () => {
    const before = counts();
    expect(() =>
      tidy(() => {
        const a = tensor([1, 2, 3]);
        a.mul(2);
        a.reshape(3, 1);
        throw new Error('inside tidy');
      }),
    ).toThrow('inside tidy');
    expect(counts()).toEqual(before);
    // the scope stack is intact: a later tidy still works and frees
    tidy(() => {
      tensor([1]);
    });
    expect(counts()).toEqual(before);
  });

  it('a CnnError from an op inside tidy frees the tensors made before it', () => {
    const before = counts();
    expect(() =>
      tidy(() => {
        const a = tensor([1, 2, 3]).exp();
        return a.add(zeros([2]));
      }),
    ).toThrow('add: shapes [3] and [2] cannot be broadcast together');
    expect(counts()).toEqual(before);
  });

  it('rejects an async function and frees what it made before its first await', () => {
    const before = counts();
    expect(() => tidy((async () => tensor([1])) as never)).toThrow('tidy: the function must be synchronous');
    expect(counts()).toEqual(before);
  });

  it('backward inside tidy: the leaf gradient survives, the graph is freed', () => {
    const x = tensor([1, 2, 3]);
    x.requiresGrad = true;
    x.keep();
    const before = counts();
    tidy(() => {
      x.square().mul(2).sum().backward();
    });
    expect(counts().numTensors - before.numTensors).toBe(1);
    expect(vals(x.grad!)).toEqual([4, 8, 12]);
    x.dispose(); // frees the grad too
    expect(counts().numTensors - before.numTensors).toBe(-1);
  });
});

describe('reshape shares memory', () => {
  it('reshape / view / flatten / unsqueeze add tensors but no backend data', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const before = counts();
    const a = x.reshape(3, 2);
    const b = x.view(6);
    const c = a.flatten();
    const d = x.unsqueeze(0);
    expect(counts()).toEqual({ numTensors: before.numTensors + 4, numDataIds: before.numDataIds });
    expect(a.dataId).toBe(x.dataId);
    [a, b, c, d].forEach((t) => t.dispose());
    x.dispose();
  });

  it('data is freed only with the last view (either order)', () => {
    const start = counts();
    const x = tensor([1, 2, 3, 4], [2, 2]);
    const v = x.reshape(4);
    x.dispose();
    expect(counts().numDataIds).toBe(start.numDataIds + 1);
    expect(vals(v)).toEqual([1, 2, 3, 4]); // still readable through the view
    v.dispose();
    expect(counts()).toEqual(start);

    const y = tensor([1, 2], [2]);
    const w = y.reshape(1, 2);
    w.dispose();
    expect(counts().numDataIds).toBe(start.numDataIds + 1);
    expect(vals(y)).toEqual([1, 2]);
    y.dispose();
    expect(counts()).toEqual(start);
  });

  it('detach shares memory too', () => {
    const x = tensor([1, 2]);
    const before = counts();
    const d = x.detach();
    expect(counts().numDataIds).toBe(before.numDataIds);
    x.dispose();
    expect(vals(d)).toEqual([1, 2]);
    d.dispose();
    expect(counts().numDataIds).toBe(before.numDataIds - 1);
  });

  it('disposing twice is harmless and does not free shared data early', () => {
    const x = tensor([1, 2]);
    const v = x.reshape(2, 1);
    const before = counts();
    x.dispose();
    x.dispose();
    expect(counts().numDataIds).toBe(before.numDataIds);
    expect(vals(v)).toEqual([1, 2]);
    v.dispose();
    expect(counts().numDataIds).toBe(before.numDataIds - 1);
  });

  it('assign keeps the identity and frees the old data', () => {
    const p = tensor([1, 2]);
    const before = counts();
    tidy(() => {
      p.assign(p.mul(10));
    });
    expect(counts()).toEqual(before);
    expect(vals(p)).toEqual([10, 20]);
    p.dispose();
  });
});

describe('composite ops free their intermediates with their output', () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['broadcastTo [1, 3, 1] → [2, 3, 4]', (x) => F.broadcastTo(x.reshape(1, 3, 1), [2, 3, 4])],
    ['concat of three along dim 1', (x) => F.concat([x.reshape(1, 3), x.reshape(1, 3).mul(2), x.reshape(1, 3)], 1)],
    ['variance over dim 0', (x) => F.variance(x)],
    ['conv1d same', (x) => F.conv1d(x.reshape(1, 1, 3), tensor([1, 2], [1, 1, 2]), null, { padding: 'same' })],
    ['matmul [3] · [3]', (x) => F.matmul(x, x)],
    ['crossEntropy', (x) => F.crossEntropy(x.reshape(1, 3), tensor(Int32Array.from([2])))],
    ['maxPool1d', (x) => F.maxPool1d(x.reshape(1, 1, 3), { kernelSize: 2 })],
  ];
  for (const [name, op] of cases) {
    it(`${name}: with requiresGrad, disposing output and grad returns memory to where it was`, () => {
      const x = tensor([1, 2, 3]);
      x.requiresGrad = true;
      const before = counts();
      const y = tidy(() => {
        const out = op(x);
        out.sum().backward();
        return out;
      });
      expect(x.grad).not.toBeNull();
      y.dispose();
      x.grad = null;
      expect(counts()).toEqual(before);
      x.dispose();
    });
  }
});

describe('training steps inside tidy keep memory flat', () => {
  const cases: [string, (params: Tensor[]) => optim.Optimizer][] = [
    ['SGD momentum 0.9 lr 0.05', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9 })],
    ['SGD nesterov weightDecay 1e-4', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
    ['Adam lr 1e-2', (p) => new optim.Adam(p, { lr: 1e-2 })],
    ['AdamW lr 1e-2', (p) => new optim.AdamW(p, { lr: 1e-2 })],
  ];
  for (const [name, makeOpt] of cases) {
    it(`Conv2d→ReLU→MaxPool2d→Flatten→Linear, ${name}, 20 steps, batch [4, 1, 8, 8]`, () => {
      const start = counts();
      manualSeed(1);
      const model = smallNet();
      const opt = makeOpt(model.parameters());
      const x = randn([4, 1, 8, 8]).keep();
      const y = tensor(Int32Array.from([0, 1, 2, 1])).keep();
      const losses: number[] = [];
      const history: { numTensors: number; numDataIds: number }[] = [];
      for (let step = 0; step < 20; step++) {
        const loss = tidy(() => {
          opt.zeroGrad();
          const l = F.crossEntropy(model.forward(x), y);
          l.backward();
          opt.step();
          return l;
        });
        losses.push(vals(loss)[0]);
        loss.dispose();
        history.push(counts());
      }
      // after the first step (optimizer state created), every step ends with exactly the same memory
      for (let i = 2; i < history.length; i++) expect(history[i], `step ${i}`).toEqual(history[1]);
      // the network learned something (the loss went down) — the steps did real work
      expect(losses[19]).toBeLessThan(losses[0]);
      // what is live: parameters (+ grads) + optimizer state + x, y
      const nParams = model.parameters().length;
      const stateTensors = name.startsWith('SGD') ? 1 : 2;
      expect(history[19].numTensors - start.numTensors).toBe(nParams * (2 + stateTensors) + 2);
      model.zeroGrad();
      opt.dispose();
      model.dispose();
      x.dispose();
      y.dispose();
      expect(counts()).toEqual(start);
    });
  }

  it('BatchNorm2d and Dropout in the net, train mode, 10 SGD steps: flat', () => {
    const start = counts();
    manualSeed(2);
    const model = new nn.Sequential(
      new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }),
      new nn.BatchNorm2d({ numFeatures: 2 }),
      new nn.ReLU(),
      new nn.Flatten(),
      new nn.Dropout({ p: 0.25 }),
      new nn.Linear({ inFeatures: 2 * 4 * 4, outFeatures: 2 }),
    );
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = randn([3, 1, 6, 6]).keep();
    const y = tensor(Int32Array.from([0, 1, 1])).keep();
    const history: { numTensors: number; numDataIds: number }[] = [];
    for (let step = 0; step < 10; step++) {
      tidy(() => {
        opt.zeroGrad();
        F.crossEntropy(model.forward(x), y).backward();
        opt.step();
      });
      history.push(counts());
    }
    for (let i = 2; i < history.length; i++) expect(history[i], `step ${i}`).toEqual(history[1]);
    expect(vals((model.at(1) as nn.BatchNorm2d).numBatchesTracked!)).toEqual([10]);
    model.zeroGrad();
    opt.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
    expect(counts()).toEqual(start);
  });

  it('eval forward passes outside tidy: disposing the output frees all activations', () => {
    manualSeed(3);
    const model = smallNet().eval();
    const x = randn([2, 1, 8, 8]);
    const before = counts();
    const out = model.forward(x);
    expect(out.shape).toEqual([2, 3]);
    out.dispose();
    expect(counts()).toEqual(before);
    model.dispose();
    x.dispose();
  });
});

describe('disposal of models and optimizers', () => {
  it('disposing a model frees every parameter and buffer', () => {
    const before = counts();
    const model = new nn.Sequential(
      new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3 }),
      new nn.BatchNorm2d({ numFeatures: 4 }),
      new nn.Linear({ inFeatures: 4, outFeatures: 2 }),
    );
    // conv weight+bias, bn weight+bias+running_mean+running_var+num_batches_tracked, linear weight+bias
    expect(counts().numTensors - before.numTensors).toBe(9);
    expect(counts().numDataIds - before.numDataIds).toBe(9);
    model.dispose();
    expect(counts()).toEqual(before);
    expect(model.parameters().every((p) => p.isDisposed)).toBe(true);
  });

  it('a model built inside tidy survives it (parameters are kept)', () => {
    const before = counts();
    const model = tidy(() => new nn.Linear({ inFeatures: 3, outFeatures: 2 }));
    expect(model.weight.isDisposed).toBe(false);
    expect(counts().numTensors - before.numTensors).toBe(2);
    model.dispose();
    expect(counts()).toEqual(before);
  });

  it('optimizer.dispose() frees the optimizer state (SGD momentum buffers, Adam m and v)', () => {
    const model = new nn.Linear({ inFeatures: 3, outFeatures: 2 });
    for (const [name, opt, perParam] of [
      ['SGD', new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), 1],
      ['Adam', new optim.Adam(model.parameters()), 2],
    ] as const) {
      const before = counts();
      tidy(() => {
        model.weight.grad = tensor([[1, 2, 3], [4, 5, 6]]);
        model.bias!.grad = tensor([1, 1]);
        opt.step();
        model.zeroGrad();
      });
      expect(counts().numTensors - before.numTensors, name).toBe(2 * perParam);
      opt.dispose();
      expect(counts(), name).toEqual(before);
    }
    model.dispose();
  });
});
