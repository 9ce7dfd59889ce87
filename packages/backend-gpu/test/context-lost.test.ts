// A lost GL context (issue 11, item 5) gives a clear error at the next operation or read, never zeros or a hang, and a
// disposed-and-recreated backend trains again. headless-gl cannot lose its context (no WEBGL_lose_context; its
// isContextLost() always answers false; STACKGL_destroy_context frees the native context, after which GL calls are
// unsafe), so this test makes isContextLost() answer true; the real loss (WEBGL_lose_context in Chromium) is tested
// by apps/web/test/context-lost.browser.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { disposeBackend, F, manualSeed, nn, optim, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import type { GpuBackend, GpuContext } from '../src/index.js';
import '../src/index.js';

const LOST = /^gpu backend: the WebGL context was lost \(gl\.isContextLost\(\) is true[^)]*\); .*Dispose the backend \(await disposeBackend\('gpu'\)\) and set it again/;

function model(): nn.Sequential {
  manualSeed(4);
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 2 * 4 * 4, outFeatures: 3 }),
  );
}

function step(m: nn.Module, opt: optim.Optimizer, x: Tensor, y: Tensor): Tensor {
  return tidy(() => {
    opt.zeroGrad();
    const loss = F.crossEntropy(m.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  });
}

describe('gpu: a lost WebGL context', () => {
  afterAll(async () => {
    await disposeBackend('gpu');
  });

  it('fails the next op and every read with a clear error, and a recreated backend trains again', async () => {
    let be = (await setBackend('gpu')) as GpuBackend;
    const m = model();
    const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
    const x = tensor(Float32Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i)), [2, 1, 4, 4]);
    const y = tensor(Int32Array.from([0, 2]));
    const first = await step(m, opt, x, y).data();
    expect(Number.isFinite(first[0])).toBe(true);

    const ctx = (be as unknown as { ctx: GpuContext }).ctx;
    ctx.gl.isContextLost = () => true;
    const t0 = performance.now();
    expect(() => step(m, opt, x, y)).toThrow(LOST);
    await expect(m.parameters()[0].data()).rejects.toThrow(LOST);
    await expect(x.data()).rejects.toThrow(LOST);
    expect(performance.now() - t0).toBeLessThan(1_000);

    // Dispose (must not throw on a lost context) and start again: a fresh context, and training works.
    await disposeBackend('gpu');
    be = (await setBackend('gpu')) as GpuBackend;
    expect(be.info().mode).toBe('headlessgl');
    const m2 = model();
    const opt2 = new optim.SGD(m2.parameters(), { lr: 0.1 });
    const x2 = tensor(Float32Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i)), [2, 1, 4, 4]);
    const y2 = tensor(Int32Array.from([0, 2]));
    const again = await step(m2, opt2, x2, y2).data();
    expect(again[0]).toBeCloseTo(first[0], 5);
  }, 60_000);
});
