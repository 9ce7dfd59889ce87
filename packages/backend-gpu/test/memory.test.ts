import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBackend, F, manualSeed, memory, optim, randn, setBackend, tensor, tidy, type Backend } from '@cnn/core';
import { smallConvNet } from '@cnn/conformance/vitest';
import '../src/index.js';

let be: Backend;
beforeAll(async () => {
  be = await setBackend('gpu');
});
afterAll(async () => {
  await disposeBackend('gpu');
});

function counts() {
  const m = memory();
  return { numTensors: m.numTensors, numDataIds: m.numDataIds, numTextures: m.numTextures, numBytes: m.numBytes, glTextures: m.glTextures };
}

describe('gpu memory', () => {
  it('disposing a tensor deletes its texture; memory() counts live textures and bytes', async () => {
    const before = be.memory();
    const id = be.write(Float32Array.from([1, 2, 3]), 'float32');
    const ints = be.write(Int32Array.from([4, -5]), 'int32');
    expect(be.memory()).toMatchObject({
      numDataIds: (before.numDataIds as number) + 2,
      numBytes: (before.numBytes as number) + 20,
      numTextures: (before.numTextures as number) + 2,
    });
    const back = await be.read(ints);
    expect(back).toBeInstanceOf(Int32Array);
    expect(Array.from(back)).toEqual([4, -5]);
    const f = await be.read(id);
    f[0] = 42; // a copy
    expect(Array.from(await be.read(id))).toEqual([1, 2, 3]);
    be.disposeData(id);
    be.disposeData(ints);
    expect(be.memory()).toMatchObject({ numDataIds: before.numDataIds, numBytes: before.numBytes, numTextures: before.numTextures });
    // The GL texture objects themselves are released: 200 more write/dispose rounds create no lasting GL textures
    // (a cached kernel keeps at most its last output's texture, which its next run overwrites).
    const gl0 = be.memory().glTextures as number;
    for (let k = 0; k < 200; k++) be.disposeData(be.write(Float32Array.from([k, k + 1, k + 2]), 'float32'));
    expect(be.memory().glTextures).toBe(gl0);
    await expect(be.read(id)).rejects.toThrow(/disposeData/);
  });

  it('a kernel fed its own previous output (immutable pipeline) computes fresh textures', async () => {
    const x = tensor([-1, 2, -3, 4]);
    const y = tidy(() => x.relu().neg().relu().neg().relu());
    // relu keeps -0 as torch.relu does: [0, 2, 0, 4] → neg → [-0, -2, -0, -4] → relu → [-0, 0, -0, 0] → neg → relu
    expect(Array.from(await y.data())).toEqual([0, -0, 0, -0]);
    const z = tidy(() => x.neg().neg().neg());
    expect(Array.from(await z.data())).toEqual([1, -2, 3, -4]);
    x.dispose();
    y.dispose();
    z.dispose();
  });

  it('500 SGD training steps of conv→relu→maxpool→flatten→linear inside tidy: textures and tensors stay flat', async () => {
    const start = counts();
    manualSeed(3);
    const model = smallConvNet();
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = randn([8, 1, 8, 8]).keep();
    const y = tensor(Int32Array.from([0, 1, 2, 1, 0, 2, 1, 0])).keep();
    const history: ReturnType<typeof counts>[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 500; step++) {
      // GL calls are synchronous: let the event loop run between steps, as a browser page would need to.
      await new Promise((resolve) => setImmediate(resolve));
      const loss = tidy(() => {
        opt.zeroGrad();
        const l = F.crossEntropy(model.forward(x), y);
        l.backward();
        opt.step();
        return l;
      });
      if (step % 50 === 0 || step === 499) losses.push((await loss.data())[0]);
      loss.dispose();
      history.push(counts());
    }
    for (let i = 2; i < history.length; i++) {
      if (JSON.stringify(history[i]) !== JSON.stringify(history[1])) expect(history[i], `step ${i}`).toEqual(history[1]);
    }
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(Number.isFinite(losses[losses.length - 1])).toBe(true);
    // kernels are compiled once per shape: 500 steps reuse the first step's kernels
    const kernels = be.memory().numKernels;
    tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
    expect(be.memory().numKernels).toBe(kernels);
    model.zeroGrad();
    opt.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
    const end = counts();
    expect({ ...end, glTextures: 0 }).toEqual({ ...start, glTextures: 0 });
  });
});
