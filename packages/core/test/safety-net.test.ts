/**
 * Issue 11: memory that takes care of itself. The safety net (a FinalizationRegistry behind dispose/tidy) frees
 * tensors user code can no longer reach; backward releases the graph it went through (retainGraph keeps it); and
 * liveTensors() says which op, and which line, made what is still alive. `collect()` (core's `collectGarbage`) forces full
 * collections and lets their finalization callbacks run, so the counts after it are exact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import {
  collectGarbage, F, getMemoryOptions, liveTensors, manualSeed, memory, nn, noGrad, numCollectedTensors, optim, randn, setBackend,
  scalar, setMemoryOptions, tensor, tensorMark, tidy, type Tensor,
} from '@cnn/core';
import { counts, smallNet, vals } from './helpers.js';

/** A full collection and the callbacks it causes: exact counts after it (no --expose-gc needed). */
async function collect(): Promise<void> {
  expect(await collectGarbage()).toBe(true);
}

beforeAll(async () => {
  await setBackend('cpu');
});

const xs = Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i * 0.37));
const ys = Int32Array.from([0, 1, 2, 1]);

describe('the safety net frees what user code cannot reach', () => {
  it('the PyTorch-style loop without tidy or dispose stays bounded over 300 steps (no gc() in the loop)', async () => {
    await collect();
    const start = counts();
    manualSeed(1);
    const model = smallNet();
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    let peak = 0;
    const losses: number[] = [];
    for (let step = 0; step < 300; step++) {
      const x = tensor(xs, [4, 1, 8, 8]);
      const y = tensor(ys);
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(await loss.item());
      peak = Math.max(peak, memory().numTensors - start.numTensors);
    }
    // Without the net: 4 tensors a step (x, y, logits, loss; the graph is released by backward) → 1,200 and growing.
    // With it: the engine asks for a collection after 1,024 tensors of growth, and data() lets the callbacks run.
    expect(peak).toBeLessThan(1024 + 100);
    expect(losses[299]).toBeLessThan(losses[0]);
    await collect();
    const nParams = model.parameters().length;
    // parameters + their grads + momentum buffers; everything else was collected but the last step's x, y and loss,
    // which this async function's frame may still hold (V8 keeps variables that live across an await in a context)
    const left = counts().numTensors - start.numTensors;
    expect(left).toBeGreaterThanOrEqual(3 * nParams);
    expect(left).toBeLessThanOrEqual(3 * nParams + 3);
    model.zeroGrad();
    opt.dispose();
    model.dispose();
    expect(counts().numTensors - start.numTensors).toBeLessThanOrEqual(3); // that last step's x, y and loss
  });

  it('never frees a tensor that is still reachable: views, kept tensors, grads, owned intermediates, folded weights', async () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const view = x.reshape(3, 2);
    const p = tensor([0.5, -1, 2]).keep();
    p.requiresGrad = true;
    F.mul(p, p).sum().backward();
    // drop the base tensor but keep its view: the shared data must survive
    const held: { x?: Tensor } = { x };
    delete held.x;
    // an eval model with BatchNorm: its folded conv weights are cached by DataId (nn/fusion.ts)
    manualSeed(4);
    const model = new nn.Sequential(
      new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1 }),
      new nn.BatchNorm2d({ numFeatures: 2 }),
      new nn.ReLU(),
    ).eval();
    const input = randn([1, 1, 5, 5]);
    const first = noGrad(() => model.forward(input));
    const before = vals(first);
    await collect();
    expect(vals(view)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(vals(p.grad!)).toEqual([1, -2, 4]);
    const again = noGrad(() => model.forward(input));
    expect(vals(again)).toEqual(before);
    for (const t of [view, p, first, again, input]) t.dispose();
    model.dispose();
  });

  it('a tidy loop leaves nothing to the net: exactly flat, nothing collected', async () => {
    await collect();
    manualSeed(2);
    const model = smallNet();
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    const collected0 = numCollectedTensors();
    const history: { numTensors: number; numDataIds: number }[] = [];
    for (let step = 0; step < 50; step++) {
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = F.crossEntropy(model.forward(tensor(xs, [4, 1, 8, 8])), tensor(ys));
        l.backward();
        opt.step();
        return l;
      });
      await loss.item();
      loss.dispose();
      history.push(counts());
    }
    for (let i = 2; i < history.length; i++) expect(history[i], `step ${i}`).toEqual(history[1]);
    await collect();
    expect(counts()).toEqual(history[49]);
    expect(numCollectedTensors()).toBe(collected0);
    model.zeroGrad();
    opt.dispose();
    model.dispose();
  });

  it('setMemoryOptions({ safetyNet: false }): tensors made meanwhile are never collected', async () => {
    await collect();
    const start = counts();
    const before = setMemoryOptions({ safetyNet: false });
    try {
      for (let i = 0; i < 10; i++) tensor([i, i + 1]);
    } finally {
      setMemoryOptions(before);
    }
    await collect();
    expect(counts().numTensors - start.numTensors).toBe(10);
    const leaked = liveTensors({ sinceId: 0 }).filter((t) => t.op === 'tensor' && t.shape.join() === '2');
    expect(leaked.length).toBeGreaterThanOrEqual(10);
    expect(getMemoryOptions().safetyNet).toBe(true);
    expect(() => setMemoryOptions({ gcThresholdBytes: -1 })).toThrow(/gcThresholdBytes must be ≥ 0/);
  });
});

describe('backward releases the graph', () => {
  it('retainGraph keeps it for a second backward; without it the second one throws a clear error', () => {
    const x = tensor([1, 2, 3]);
    x.requiresGrad = true;
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    expect(vals(x.grad!)).toEqual([2, 4, 6]);
    y.backward({ retainGraph: true }); // options first works too
    expect(vals(x.grad!)).toEqual([4, 8, 12]);
    y.backward();
    expect(vals(x.grad!)).toEqual([6, 12, 18]);
    expect(() => y.backward()).toThrow(/backward through the graph a second time.*'sum'.*retainGraph: true/);
    expect(vals(x.grad!)).toEqual([6, 12, 18]); // nothing accumulated by the failed call
    expect(y.isLeaf).toBe(false); // never treated as a leaf
    expect(y.requiresGrad).toBe(true);
    expect(y.grad).toBeNull();
    const seed = scalar(2);
    const z = x.mul(3).sum();
    z.backward(seed, { retainGraph: true });
    z.backward(seed);
    expect(vals(x.grad!)).toEqual([18, 24, 30]);
    for (const t of [x, y, z, seed]) t.dispose();
  });

  it('a shared trunk: the second loss throws after the first freed the trunk; their sum backpropagates', () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    const trunk = x.mul(2).exp();
    const l1 = trunk.sum();
    const l2 = trunk.mul(trunk).sum();
    l1.backward();
    expect(() => l2.backward()).toThrow(/second time/);
    x.grad = null;
    const t2 = x.mul(2).exp();
    t2.sum().add(t2.mul(t2).sum()).backward();
    const e = [Math.exp(2), Math.exp(4)];
    const got = vals(x.grad!);
    e.forEach((v, i) => expect(got[i]).toBeCloseTo(2 * v + 4 * v * v, 0));
    for (const t of [x, trunk, l1, l2, t2]) t.dispose();
  });

  it('after backward, the owned intermediates are freed while the logits the user holds stay valid', async () => {
    await collect(); // earlier tests' garbage must not be collected between the two counts
    manualSeed(3);
    const model = smallNet();
    const before = counts();
    const x = randn([4, 1, 8, 8]);
    const y = tensor(ys);
    const logits = model.forward(x);
    const loss = F.crossEntropy(logits, y);
    const withGraph = counts().numTensors - before.numTensors;
    loss.backward();
    // x, y, logits and loss themselves, and the parameters' new grads: the rest (activations, crossEntropy's parts) is gone
    const nParams = model.parameters().length;
    expect(counts().numTensors - before.numTensors).toBe(4 + nParams);
    expect(withGraph).toBeGreaterThan(2 + 10);
    const predicted = logits.argmax(1);
    expect(vals(predicted)).toHaveLength(4);
    expect(Number.isFinite(vals(loss)[0])).toBe(true);
    for (const t of [predicted, logits, loss, x, y]) t.dispose();
    model.zeroGrad();
    expect(counts()).toEqual(before);
    model.dispose();
  });
});

describe('liveTensors: the leak finder', () => {
  it('groups live tensors by the op that made them; with captureStacks, by the line of user code', () => {
    const mark = tensorMark();
    const x = tensor([1, 2, 3]);
    const kept: Tensor[] = [];
    for (let i = 0; i < 5; i++) kept.push(x.mul(x)); // the "leak"
    const groups = liveTensors({ groupBy: 'op', sinceId: mark });
    expect(groups[0]).toMatchObject({ op: 'mul', numTensors: 5, numBytes: 60, shapes: ['[3]'] });
    expect(groups[1]).toMatchObject({ op: 'tensor', numTensors: 1 });
    expect(groups[0].location).toBeUndefined();

    const previous = setMemoryOptions({ captureStacks: true });
    let line = 0;
    try {
      for (let i = 0; i < 3; i++) {
        line = Number(/safety-net\.test\.ts:(\d+)/.exec(new Error().stack!)![1]) + 1;
        kept.push(x.add(x)); // this line
      }
    } finally {
      setMemoryOptions(previous);
    }
    const adds = liveTensors({ groupBy: 'op', sinceId: mark }).find((g) => g.op === 'add')!;
    expect(adds.numTensors).toBe(3);
    expect(adds.location).toMatch(new RegExp(`safety-net\\.test\\.ts:${line}:\\d+$`));
    const list = liveTensors({ sinceId: mark });
    expect(list.map((t) => t.op)).toEqual(['tensor', 'mul', 'mul', 'mul', 'mul', 'mul', 'add', 'add', 'add']);
    expect(list[0]).toMatchObject({ shape: [3], dtype: 'float32', bytes: 12, backend: 'cpu' });
    for (const t of [x, ...kept]) t.dispose();
    expect(liveTensors({ sinceId: mark })).toEqual([]);
  });

  it('a module forward is reported at the user line that called it; gradients by their backward op', () => {
    manualSeed(5);
    const model = smallNet();
    const x = randn([2, 1, 8, 8]);
    const previous = setMemoryOptions({ captureStacks: true });
    const mark = tensorMark();
    let out: Tensor;
    try {
      out = model.forward(x); // the line reported
    } finally {
      setMemoryOptions(previous);
    }
    const groups = liveTensors({ groupBy: 'op', sinceId: mark });
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(g.location, g.op).toMatch(/safety-net\.test\.ts:\d+:\d+$/);
    out.sum().backward();
    const grads = liveTensors({ groupBy: 'op', sinceId: mark }).map((g) => g.op);
    expect(grads.some((op) => op.endsWith(' backward'))).toBe(true);
    out.dispose();
    x.dispose();
    model.zeroGrad();
    model.dispose();
  });
});
