/**
 * Issue 11 on the gpu backend: the PyTorch-style training loop without tidy or dispose stays bounded (core's
 * safety net frees the textures of tensors nobody can reach), and inside tidy it stays exactly
 * flat. No gc() in the loops: the engine asks for collections itself; `collect()` only makes the final count exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage, disposeBackend, F, manualSeed, memory, nn, optim, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import '../src/index.js';

/** A full collection and the callbacks it causes: exact counts after it (no --expose-gc needed). */
async function collect(): Promise<void> {
  expect(await collectGarbage()).toBe(true);
}

beforeAll(async () => {
  await setBackend('gpu');
});
afterAll(async () => {
  await disposeBackend('gpu');
});

const xs = Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i * 0.37));
const ys = Int32Array.from([0, 1, 2, 1]);

function setup(): { model: nn.Sequential; opt: optim.SGD } {
  manualSeed(1);
  const model = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 4 * 4 * 4, outFeatures: 3 }),
  );
  return { model, opt: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) };
}

const counts = () => {
  const m = memory();
  return { numTensors: m.numTensors, numDataIds: m.numDataIds, numBytes: m.numBytes, numTextures: m.numTextures as number };
};

describe('gpu: memory over a training loop', () => {
  it('without tidy or dispose, 300 steps stay bounded', async () => {
    await collect();
    const start = counts();
    const { model, opt } = setup();
    let peak = 0;
    let peakIds = 0;
    let peakTextures = 0;
    for (let step = 0; step < 300; step++) {
      const x = tensor(xs, [4, 1, 8, 8]);
      const y = tensor(ys);
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      await loss.item();
      const m = counts();
      peak = Math.max(peak, m.numTensors - start.numTensors);
      peakIds = Math.max(peakIds, m.numDataIds - start.numDataIds);
      peakTextures = Math.max(peakTextures, m.numTextures - start.numTextures);
    }
    // 4 tensors a step outlive it (x, y, logits, loss) until collected: 1,200 without the safety net
    expect(peak).toBeLessThan(1024 + 100);
    expect(peakIds).toBeLessThan(1024 + 100);
    expect(peakTextures).toBeLessThan(1024 + 100);
    await collect();
    const nParams = model.parameters().length;
    expect(counts().numTensors - start.numTensors).toBeLessThanOrEqual(3 * nParams + 3);
    model.zeroGrad();
    opt.dispose();
    model.dispose();
    await collect();
    expect(counts().numDataIds - start.numDataIds).toBeLessThanOrEqual(3);
    expect(counts().numTextures - start.numTextures).toBeLessThanOrEqual(3);
  });

  it('inside tidy, 50 steps are exactly flat', async () => {
    await collect();
    const { model, opt } = setup();
    const history: ReturnType<typeof counts>[] = [];
    for (let step = 0; step < 50; step++) {
      const loss: Tensor = tidy(() => {
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
    model.zeroGrad();
    opt.dispose();
    model.dispose();
  });
});
