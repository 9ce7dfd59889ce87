/**
 * Eval-mode fusion: F.fusedConv2d (kernel vs its composition, validation), nn.convBnActivation (batch norm folded,
 * cache refreshed when a parameter changes, layer by layer whenever fusion could change what the user sees) and
 * nn.Sequential's Conv2d → BatchNorm2d → activation runs.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, getBackend, memory, nn, noGrad, randn, setBackend, tensor, tidy, type Backend, type Tensor } from '@cnn/core';
import { expectClose, vals } from './helpers.js';

let backend: Backend;
let fusedCalls = 0;
let original: Backend['fusedConv2d'];

beforeAll(async () => {
  backend = await setBackend('cpu');
  original = backend.fusedConv2d;
  // Count fused kernel calls (instance-level, restored after each test).
  backend.fusedConv2d = function (...args) {
    fusedCalls++;
    return original!.apply(this, args);
  };
});

afterEach(() => {
  fusedCalls = 0;
});

/** A model whose BN statistics are not the identity, so folding has something to fold. */
function randomiseBn(model: nn.Module): void {
  noGrad(() => {
    for (const [, m] of model.namedModules()) {
      if (m instanceof nn.BatchNorm2d) {
        const c = m.numFeatures;
        m.runningMean!.assign(randn([c]).mul(0.5));
        m.runningVar!.assign(randn([c]).abs().add(0.5));
        m.weight!.assign(randn([c]).mul(0.3).add(1));
        m.bias!.assign(randn([c]).mul(0.2));
      }
    }
  });
}

describe('F.fusedConv2d', () => {
  it('equals conv2d → + residual → activation, and uses the kernel only when nothing is recorded', () => {
    const x = randn([2, 4, 7, 7]);
    const w = randn([6, 4, 3, 3]).mul(0.3);
    const b = randn([6]);
    const r = randn([2, 6, 4, 4]);
    const opts = { stride: 2, padding: 1 } as const;
    const want = tidy(() => vals(F.clamp(F.add(F.conv2d(x, w, b, opts), r), 0, 6)));
    const got = noGrad(() => F.fusedConv2d(x, w, b, { ...opts, residual: r, activation: { op: 'clamp', params: [0, 6] } }));
    expect(fusedCalls).toBe(1);
    expect(vals(got)).toEqual(want); // same float32 operations in the same order
    // With a gradient to record, it composes differentiable ops and backward works.
    w.requiresGrad = true;
    const y = F.fusedConv2d(x, w, b, { ...opts, residual: r, activation: 'relu' });
    expect(fusedCalls).toBe(1);
    const loss = y.sum();
    loss.backward();
    expect(w.grad?.shape).toEqual([6, 4, 3, 3]);
    for (const t of [x, w, b, r, got, y, loss]) t.dispose();
  });

  it('rejects bad epilogues before any work, naming the argument', () => {
    const x = randn([1, 2, 5, 5]);
    const w = randn([3, 2, 3, 3]);
    const before = memory().numTensors;
    expect(() => F.fusedConv2d(x, w, null, { activation: 'softmax' as never })).toThrow(/fusedConv2d: activation must be one of 'relu'/);
    expect(() => F.fusedConv2d(x, w, null, { activation: { op: 'leakyRelu' } })).toThrow(/activation 'leakyRelu' takes 1 numeric parameter/);
    const r = randn([1, 3, 5, 5]);
    expect(() => F.fusedConv2d(x, w, null, { residual: r })).toThrow(/residual must have the output's shape \[1, 3, 3, 3\], got \[1, 3, 5, 5\]/);
    expect(memory().numTensors).toBe(before + 1);
    for (const t of [x, w, r]) t.dispose();
  });
});

describe('nn.convBnActivation and Sequential fusion', () => {
  function block(): nn.Sequential {
    const s = new nn.Sequential(
      new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1 }),
      new nn.BatchNorm2d({ numFeatures: 8 }),
      new nn.ReLU(),
      new nn.Conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, groups: 8, bias: false }),
      new nn.BatchNorm2d({ numFeatures: 8 }),
      new nn.LeakyReLU({ negativeSlope: 0.2 }),
      new nn.Conv2d({ inChannels: 8, outChannels: 4, kernelSize: 1 }),
    );
    randomiseBn(s);
    return s;
  }

  it('eval + noGrad runs fused convs that agree with the layers within 1e-5', () => {
    const model = block().eval();
    const x = randn([2, 3, 9, 9]);
    const layered = model.forward(x); // parameters require grad: recorded, so layer by layer
    expect(fusedCalls).toBe(0);
    const fused = noGrad(() => model.forward(x));
    expect(fusedCalls).toBe(2); // the last conv has nothing to fuse
    expectClose(vals(fused), vals(layered), 1e-5, 1e-5, 'fused');
    for (const t of [x, layered, fused]) t.dispose();
    model.dispose();
  });

  it('training mode and recorded gradients run layer by layer (batch statistics, autograd)', () => {
    const model = block();
    const x = randn([2, 3, 9, 9]);
    const y = noGrad(() => model.forward(x)); // train mode: BN uses batch statistics, no fusion
    expect(fusedCalls).toBe(0);
    y.dispose();
    model.eval();
    const z = model.forward(x);
    z.sum().backward();
    expect(fusedCalls).toBe(0);
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    for (const t of [x, z]) t.dispose();
    model.dispose();
  });

  it('refolds when a parameter or statistic changes, and frees the folded copies on train() and dispose()', () => {
    const model = block().eval();
    const x = randn([1, 3, 6, 6]);
    const first = noGrad(() => model.forward(x));
    const bn = model.at(1) as nn.BatchNorm2d;
    noGrad(() => bn.runningMean!.assign(bn.runningMean!.add(1)));
    const second = noGrad(() => model.forward(x));
    const layered = model.forward(x);
    expectClose(vals(second), vals(layered), 1e-5, 1e-5, 'after assign');
    expect(vals(second)).not.toEqual(vals(first));
    for (const t of [first, second, layered]) t.dispose();

    const live = memory().numTensors;
    model.train();
    expect(memory().numTensors).toBe(live - 4); // two convs with BN: a folded weight and bias each
    model.eval();
    noGrad(() => model.forward(x)).dispose();
    const beforeDispose = memory().numTensors;
    const owned = model.parameters().length + model.namedBuffers().length;
    model.dispose();
    expect(memory().numTensors).toBe(beforeDispose - owned - 4);
    x.dispose();
  });

  it('inference holds a few activations, not all of them', () => {
    const layers: nn.Module[] = [];
    for (let i = 0; i < 6; i++) layers.push(new nn.Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1 }), new nn.Sigmoid());
    const model = new nn.Sequential(...layers).eval();
    const x = randn([1, 4, 8, 8]);
    const before = memory().numTensors;
    const y = noGrad(() => model.forward(x));
    expect(memory().numTensors).toBe(before + 1);
    const recorded = model.forward(x);
    expect(memory().numTensors).toBeGreaterThan(before + 6); // the graph keeps what backward needs
    recorded.dispose();
    expect(memory().numTensors).toBe(before + 1);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('a layer whose forward was replaced (a tracer) is not fused away', () => {
    const model = block().eval();
    const x = randn([1, 3, 6, 6]);
    const seen: string[] = [];
    const bn = model.at(1);
    const own = bn.forward.bind(bn);
    Object.defineProperty(bn, 'forward', { value: (t: Tensor) => (seen.push('bn'), own(t)), configurable: true, writable: true });
    noGrad(() => model.forward(x)).dispose();
    expect(seen).toEqual(['bn']);
    expect(fusedCalls).toBe(1); // the other run still fuses
    // An observing wrapper (a profiler) keeps fusion.
    const observing = Object.assign((t: Tensor) => (seen.push('observed'), own(t)), { [nn.OBSERVING_FORWARD]: true });
    Object.defineProperty(bn, 'forward', { value: observing, configurable: true, writable: true });
    fusedCalls = 0;
    noGrad(() => model.forward(x)).dispose();
    expect(fusedCalls).toBe(2);
    delete (bn as { forward?: unknown }).forward;
    x.dispose();
    model.dispose();
  });

  it('folds BN without affine parameters and a conv with bias', () => {
    const conv = new nn.Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 1 });
    const bn = new nn.BatchNorm2d({ numFeatures: 3, affine: false });
    noGrad(() => {
      bn.runningMean!.assign(tensor([0.5, -1, 2]));
      bn.runningVar!.assign(tensor([4, 0.25, 1]));
    });
    conv.eval();
    bn.eval();
    const x = randn([1, 2, 3, 3]);
    const fused = noGrad(() => nn.convBnActivation(x, conv, bn, null));
    const layered = noGrad(() => tidy(() => vals(bn.forward(conv.forward(x)))));
    expectClose(vals(fused), layered, 1e-5, 1e-6, 'no affine');
    expect(getBackend().name).toBe('cpu');
    for (const t of [x, fused]) t.dispose();
    conv.dispose();
    bn.dispose();
  });
});
