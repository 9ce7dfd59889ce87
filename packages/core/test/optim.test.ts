/**
 * Optimizers and LR schedulers against PyTorch (tools/golden/optim.py → fixtures/optim.json): the same five gradients
 * are replayed through cnn's optimizers (float32) and compared with torch.optim run in float64.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { optim, setBackend, tensor, type Tensor } from '@cnn/core';
import { expectClose, vals } from './helpers.js';

interface Fixture {
  format: string;
  tolerance: { rtol: number; atol: number };
  params: Record<string, { shape: number[]; data: number[] }>;
  grads: Record<string, number[]>[];
  optimizers: { name: string; optimizer: 'SGD' | 'Adam' | 'AdamW'; options: Record<string, unknown>; steps: Record<string, number[]>[] }[];
  schedulers: {
    name: string;
    scheduler: 'StepLR' | 'CosineAnnealingLR';
    options: Record<string, number>;
    lr: number;
    lrs: number[];
    steps: Record<string, number[]>[];
  }[];
}

const fixture: Fixture = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8'));
const { rtol, atol } = fixture.tolerance;

function makeParams(): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, { shape, data }] of Object.entries(fixture.params)) {
    const t = tensor(Float32Array.from(data), shape);
    t.requiresGrad = true;
    out[name] = t.keep();
  }
  return out;
}

function setGrads(params: Record<string, Tensor>, grads: Record<string, number[]>): void {
  for (const [name, p] of Object.entries(params)) p.grad = tensor(Float32Array.from(grads[name]), p.shape);
}

function makeOptimizer(kind: string, params: Tensor[], options: Record<string, unknown>): optim.Optimizer {
  switch (kind) {
    case 'SGD':
      return new optim.SGD(params, options as unknown as optim.SGDOptions);
    case 'Adam':
      return new optim.Adam(params, options as optim.AdamOptions);
    case 'AdamW':
      return new optim.AdamW(params, options as optim.AdamOptions);
    default:
      throw new Error(`unknown optimizer ${kind}`);
  }
}

beforeAll(async () => {
  await setBackend('cpu');
});

describe('optimizers match torch.optim over 5 steps (fixtures/optim.json)', () => {
  it('fixture has the expected layout', () => {
    expect(fixture.format).toBe('cnn-optim/1');
    expect(fixture.grads).toHaveLength(5);
    expect(fixture.optimizers.length).toBeGreaterThanOrEqual(11);
  });

  for (const c of fixture.optimizers) {
    it(`${c.name} options=${JSON.stringify(c.options)}`, () => {
      const params = makeParams();
      const opt = makeOptimizer(c.optimizer, Object.values(params), c.options);
      c.steps.forEach((expected, step) => {
        setGrads(params, fixture.grads[step]);
        opt.step();
        for (const [name, p] of Object.entries(params)) expectClose(vals(p), expected[name], rtol, atol, `${c.name} step ${step + 1} ${name}`);
      });
      opt.dispose();
      Object.values(params).forEach((p) => p.dispose());
    });
  }
});

describe('optimizer defaults as in PyTorch', () => {
  it('Adam: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0; AdamW: weightDecay 0.01', () => {
    const p = tensor([1]).keep();
    const adam = new optim.Adam([p]);
    expect([adam.lr, adam.betas, adam.eps, adam.weightDecay]).toEqual([1e-3, [0.9, 0.999], 1e-8, 0]);
    const adamw = new optim.AdamW([p]);
    expect([adamw.lr, adamw.betas, adamw.eps, adamw.weightDecay]).toEqual([1e-3, [0.9, 0.999], 1e-8, 0.01]);
    const sgd = new optim.SGD([p], { lr: 0.1 });
    expect([sgd.momentum, sgd.dampening, sgd.weightDecay, sgd.nesterov]).toEqual([0, 0, 0, false]);
    p.dispose();
  });

  it('a parameter without a gradient is not updated and gets no state', () => {
    const params = makeParams();
    const opt = new optim.Adam(Object.values(params), { lr: 0.1 });
    params.weight.grad = tensor(Float32Array.from(fixture.grads[0].weight), params.weight.shape);
    opt.step();
    expect(vals(params.bias)).toEqual(fixture.params.bias.data.map(Math.fround));
    expect(vals(params.weight)).not.toEqual(fixture.params.weight.data.map(Math.fround));
    opt.dispose();
    Object.values(params).forEach((p) => p.dispose());
  });
});

describe('LR schedulers match torch.optim.lr_scheduler (SGD, one step per epoch, 6 epochs)', () => {
  for (const c of fixture.schedulers) {
    it(`${c.name} options=${JSON.stringify(c.options)}`, () => {
      const params = makeParams();
      const opt = new optim.SGD(Object.values(params), { lr: c.lr });
      const sched = c.scheduler === 'StepLR'
        ? new optim.StepLR(opt, c.options as { stepSize: number; gamma: number })
        : new optim.CosineAnnealingLR(opt, c.options as { tMax: number; etaMin: number });
      const lrs = [sched.getLastLr()];
      c.steps.forEach((expected, epoch) => {
        setGrads(params, fixture.grads[epoch % fixture.grads.length]);
        opt.step();
        sched.step();
        lrs.push(sched.getLastLr());
        for (const [name, p] of Object.entries(params)) expectClose(vals(p), expected[name], rtol, atol, `${c.name} epoch ${epoch} ${name}`);
      });
      expectClose(lrs, c.lrs, 1e-12, 1e-15, `${c.name} lr per epoch`);
      opt.dispose();
      Object.values(params).forEach((p) => p.dispose());
    });
  }
});
