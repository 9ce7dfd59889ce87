/**
 * `runSafetyNetTraining('gpu')` inside a backend's vitest suite: issue 11's memory checks over a training loop. The
 * PyTorch-style loop without tidy or dispose stays bounded (core's safety net frees the backend data of tensors nobody
 * can reach), and inside tidy it stays exactly flat. No gc() in the loops: the engine asks for collections itself;
 * `collect()` only makes the final counts exact. Exported from '@cnn/conformance/vitest'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage, disposeBackend, F, manualSeed, memory, nn, optim, tensor, tidy, type Tensor } from '@cnn/core';
import { loadBackend } from './load-backend.js';

export interface RunSafetyNetTrainingOptions {
  /** Module that registers the backend, when @cnn/backends does not list it. */
  module?: string;
  /** Backend-specific memory() counters (the gpu's numTextures), bounded and checked like numDataIds. */
  extraCounters?: string[];
  /** Leave the backend running after the suite (default: dispose it). */
  keepBackend?: boolean;
}

/** The conv→relu→maxpool→flatten→linear net the memory tests train: [N, 1, 8, 8] inputs, 3 classes. */
export function smallConvNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 4 * 4 * 4, outFeatures: 3 }),
  );
}

/** A full collection and the callbacks it causes: exact counts after it (no --expose-gc needed). */
async function collect(): Promise<void> {
  expect(await collectGarbage()).toBe(true);
}

const xs = Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i * 0.37));
const ys = Int32Array.from([0, 1, 2, 1]);

function setup(): { model: nn.Sequential; opt: optim.SGD } {
  manualSeed(1);
  const model = smallConvNet();
  return { model, opt: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) };
}

export function runSafetyNetTraining(backend: string, opts: RunSafetyNetTrainingOptions = {}): void {
  const extra = opts.extraCounters ?? [];
  // the counters that hold backend data: bounded in the loop, and back to (almost) the start once everything is disposed
  const dataCounters = ['numDataIds', ...extra];
  const counts = (): Record<string, number> => {
    const m = memory();
    const out: Record<string, number> = { numTensors: m.numTensors, numDataIds: m.numDataIds, numBytes: m.numBytes };
    for (const k of extra) {
      if (typeof m[k] !== 'number') throw new Error(`backend '${backend}': memory() has no number '${k}'`);
      out[k] = m[k];
    }
    return out;
  };

  describe(`${backend}: memory over a training loop`, () => {
    beforeAll(async () => {
      await loadBackend(backend, opts.module);
    });
    afterAll(async () => {
      if (!opts.keepBackend) await disposeBackend(backend);
    });

    it('without tidy or dispose, 300 steps stay bounded', async () => {
      await collect();
      const start = counts();
      const { model, opt } = setup();
      const peak: Record<string, number> = {};
      for (const k of ['numTensors', ...dataCounters]) peak[k] = 0;
      for (let step = 0; step < 300; step++) {
        const x = tensor(xs, [4, 1, 8, 8]);
        const y = tensor(ys);
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        await loss.item();
        const m = counts();
        for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k] - start[k]);
      }
      // 4 tensors a step outlive it (x, y, logits, loss) until collected: 1,200 without the safety net
      for (const k of Object.keys(peak)) expect(peak[k], `peak ${k}`).toBeLessThan(1024 + 100);
      await collect();
      const nParams = model.parameters().length;
      expect(counts().numTensors - start.numTensors).toBeLessThanOrEqual(3 * nParams + 3);
      model.zeroGrad();
      opt.dispose();
      model.dispose();
      await collect();
      for (const k of dataCounters) expect(counts()[k] - start[k], k).toBeLessThanOrEqual(3);
    });

    it('inside tidy, 50 steps are exactly flat', async () => {
      await collect();
      const { model, opt } = setup();
      const history: Record<string, number>[] = [];
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
}
