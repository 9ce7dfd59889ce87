/**
 * State dicts for resuming training exactly: optimizers (Adam/AdamW moments and step counts, SGD momentum),
 * LR schedulers and random generators. Stopping after k steps, saving, restoring into fresh objects and going on must
 * give bit-identical values to never stopping.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { Generator, optim, setBackend, tensor, type Tensor } from '@cnn/core';

beforeAll(() => setBackend('cpu'));

const SHAPES = [[3, 2], [4]];

function params(seed: number): Tensor[] {
  const g = new Generator(seed);
  return SHAPES.map((s) => {
    const t = tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => g.normal()), s);
    t.requiresGrad = true;
    return t.keep();
  });
}

/** A deterministic gradient for step `k` of parameter `i`. */
function setGrads(ps: Tensor[], k: number): void {
  ps.forEach((p, i) => {
    const g = new Generator(1000 * k + i);
    p.grad = tensor(Float32Array.from({ length: p.size }, () => g.normal()), p.shape).keep();
  });
}

const values = (ps: Tensor[]): number[][] => ps.map((p) => Array.from(p.dataSync()));

/** The state dict as plain arrays (what a checkpoint file gives back). */
function plain(d: optim.OptimizerStateDict): optim.OptimizerStateDict<optim.OptimizerStateValue> {
  const state: Record<number, Record<string, optim.OptimizerStateValue>> = {};
  for (const [i, st] of Object.entries(d.state)) state[Number(i)] = Object.fromEntries(Object.entries(st).map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.dataSync()) }]));
  return JSON.parse(JSON.stringify({ ...d, state })) as optim.OptimizerStateDict<optim.OptimizerStateValue>;
}

type Make = (ps: Tensor[]) => { opt: optim.Optimizer; sched?: optim.LRScheduler };

const cases: [string, Make][] = [
  ['Adam + CosineAnnealingLR', (ps) => {
    const opt = new optim.Adam(ps, { lr: 0.01, weightDecay: 1e-3 });
    return { opt, sched: new optim.CosineAnnealingLR(opt, { tMax: 7 }) };
  }],
  ['AdamW', (ps) => ({ opt: new optim.AdamW(ps, { lr: 0.02 }) })],
  ['SGD momentum nesterov + StepLR', (ps) => {
    const opt = new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true });
    return { opt, sched: new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 }) };
  }],
];

describe('optimizer and scheduler state dicts', () => {
  for (const [name, make] of cases) {
    it(`${name}: 3 steps, save, restore into fresh objects, 3 more = 6 straight steps, bit for bit`, () => {
      const run = (ps: Tensor[], o: ReturnType<Make>, from: number, to: number): void => {
        for (let k = from; k < to; k++) {
          setGrads(ps, k);
          o.opt.step();
          o.sched?.step();
        }
      };
      const straight = params(1);
      const a = make(straight);
      run(straight, a, 0, 6);

      const first = params(1);
      const b = make(first);
      run(first, b, 0, 3);
      const saved = plain(b.opt.stateDict());
      const savedSched = b.sched ? (JSON.parse(JSON.stringify(b.sched.stateDict())) as optim.LRSchedulerStateDict) : undefined;
      const weights = values(first);

      const resumed = weights.map((w, i) => {
        const t = tensor(Float32Array.from(w), SHAPES[i]);
        t.requiresGrad = true;
        return t.keep();
      });
      const c = make(resumed);
      c.opt.loadStateDict(saved);
      if (savedSched) c.sched!.loadStateDict(savedSched);
      expect(c.opt.lr).toBe(b.opt.lr);
      run(resumed, c, 3, 6);
      expect(values(resumed)).toEqual(values(straight));
      expect(c.opt.lr).toBe(a.opt.lr);
      expect(Object.keys(c.opt.stateDict().state)).toEqual(['0', '1']);
    });
  }

  it('refuses a state dict of another optimizer, other hyperparameters or shapes, and changes nothing then', () => {
    const ps = params(2);
    const adam = new optim.Adam(ps, { lr: 0.01 });
    setGrads(ps, 0);
    adam.step();
    const d = plain(adam.stateDict());
    expect(() => new optim.SGD(ps, { lr: 0.1 }).loadStateDict(d)).toThrow(/of a 'Adam' optimizer, not SGD|of a "Adam" optimizer, not SGD|Adam.*not SGD/);
    expect(() => new optim.Adam(ps, { lr: 0.01, eps: 1e-6 }).loadStateDict(d)).toThrow(/hyperparameter eps/);
    const wrong = plain(adam.stateDict());
    wrong.state[0].m = { shape: [6], data: new Array<number>(6).fill(0) };
    const other = new optim.Adam(ps, { lr: 0.01 });
    expect(() => other.loadStateDict(wrong)).toThrow(/shape \[6\]/);
    expect(other.stateDict().state).toEqual({});
    expect(() => new optim.StepLR(adam, { stepSize: 3 }).loadStateDict(new optim.StepLR(adam, { stepSize: 2 }).stateDict())).toThrow(/options/);
  });
});

describe('Generator state', () => {
  it('getState / setState continue the stream exactly, Box–Muller spare included', () => {
    const g = new Generator(7);
    g.normal(); // leaves a spare
    const s = JSON.parse(JSON.stringify(g.getState())) as ReturnType<Generator['getState']>;
    expect(s.spare).not.toBeNull();
    const straight = [g.normal(), g.uniform(), g.int(100), g.normal()];
    const h = new Generator(0);
    h.setState(s);
    expect([h.normal(), h.uniform(), h.int(100), h.normal()]).toEqual(straight);
  });

  it('rejects a malformed state', () => {
    const g = new Generator(1);
    expect(() => g.setState({ s: [0, 0, 0, 0], spare: null })).toThrow(/not all zero/);
    expect(() => g.setState({ s: [1, 2, 3] as unknown as [number, number, number, number], spare: null })).toThrow(/four uint32/);
    expect(() => g.setState({ s: [1, 2, 3, 4], spare: NaN })).toThrow(/spare/);
  });
});
