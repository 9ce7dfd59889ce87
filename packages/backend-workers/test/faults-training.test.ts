// Faults during training (issue 11, item 5): a worker that dies mid-step rejects that step's results with an error
// naming the backend, the kernel, the worker and the cause, promptly (never a hang); the pool replaces the worker; the
// parameters the failed step updated say why they are invalid; and training continues from a checkpoint to the same
// weights as an uninterrupted run on the cpu backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBackend, F, manualSeed, nn, optim, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import '@cnn/backend-cpu';
import { smallConvNet } from '@cnn/conformance/vitest';
import { configureWorkers, type WorkersBackend } from '../src/index.js';
import { randomArray } from './helpers.js';

const BATCHES = 4;
const BATCH = 8;

function makeModel(): nn.Sequential {
  manualSeed(11);
  return smallConvNet();
}

/** The same batches on whichever backend is active. */
function makeBatches(): [Tensor, Tensor][] {
  const out: [Tensor, Tensor][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const x = tensor(randomArray(BATCH * 64, 100 + b), [BATCH, 1, 8, 8]).keep();
    const y = tensor(Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + b) % 3)).keep();
    out.push([x, y]);
  }
  return out;
}

/** One SGD step as a user writes it; returns the loss (kept). */
function step(model: nn.Module, opt: optim.Optimizer, x: Tensor, y: Tensor): Tensor {
  return tidy(() => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  });
}

type Checkpoint = Record<string, { shape: readonly number[]; data: Float32Array }>;

/** An in-memory checkpoint: the model's state copied to the host. */
async function checkpoint(model: nn.Module): Promise<Checkpoint> {
  const out: Checkpoint = {};
  for (const [k, t] of Object.entries(model.stateDict())) out[k] = { shape: [...t.shape], data: (await t.data()) as Float32Array };
  return out;
}

/** `epochs` epochs over the batches; the reference run, uninterrupted. */
async function train(epochs: number): Promise<Checkpoint> {
  const model = makeModel();
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const batches = makeBatches();
  for (let e = 0; e < epochs; e++) for (const [x, y] of batches) await step(model, opt, x, y).data();
  const out = await checkpoint(model);
  model.dispose();
  for (const t of batches.flat()) t.dispose();
  return out;
}

/** PyTorch's allclose with the project's tolerances (rtol 1e-4, atol 1e-5). */
function expectClose(got: Checkpoint, want: Checkpoint): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const k of Object.keys(want)) {
    const a = got[k].data;
    const b = want[k].data;
    expect(a.length, k).toBe(b.length);
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) - (1e-5 + 1e-4 * Math.abs(b[i])));
    expect(worst, `${k}: max excess over atol + rtol·|b|`).toBeLessThanOrEqual(0);
  }
}

describe('a worker dying during training', () => {
  let cpuAfter1: Checkpoint;
  let cpuAfter3: Checkpoint;
  let be: WorkersBackend;

  beforeAll(async () => {
    await setBackend('cpu');
    cpuAfter1 = await train(1);
    cpuAfter3 = await train(3);
    // Every parallel kernel on the pool, so the step's convs run in the workers.
    configureWorkers({ threads: 2, inlineBelow: 0 });
    be = (await setBackend('workers')) as WorkersBackend;
  });
  afterAll(async () => {
    await disposeBackend('workers');
    await setBackend('cpu');
  });

  it('rejects the step promptly with a clear error; after reloading the checkpoint the recovered pool trains as cpu does', async () => {
    const model = makeModel();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const batches = makeBatches();
    const start = await checkpoint(model);

    // The first kernel sent to the pool in this step is the forward conv: its worker calls process.exit(7).
    be.injectFaultForTesting('exit');
    const t0 = performance.now();
    const err = await step(model, opt, ...batches[0]).data().then(() => null, (e: Error) => e);
    const ms = performance.now() - t0;
    expect(err?.message).toMatch(
      /^workers backend: kernel '\w+' failed: an input failed earlier \(workers backend: kernel 'conv2d' failed: worker \d died while running it \(exited with code 7\)\. The pool has replaced the worker/,
    );
    console.log(`[faults] worker exit during the forward conv → loss.data() rejected after ${ms.toFixed(0)} ms: ${err?.message}`);
    expect(ms).toBeLessThan(5_000);
    // The parameters this step updated are invalid, and say why (never garbage).
    await expect(model.parameters()[0].data()).rejects.toThrow(/worker \d died while running it \(exited with code 7\)/);

    // Reload the checkpoint and train an epoch on the recovered pool: the same weights as cpu.
    model.loadStateDict(start);
    for (const [x, y] of batches) await step(model, opt, x, y).data();
    expectClose(await checkpoint(model), cpuAfter1);
    model.dispose();
    for (const t of batches.flat()) t.dispose();
  }, 60_000);

  it('a 3-epoch run resumes from its last epoch checkpoint after a worker dies in the backward pass, to the same weights', async () => {
    const model = makeModel();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const batches = makeBatches();
    let saved = await checkpoint(model);
    const faults: string[] = [];
    let injected = false;
    for (let epoch = 0; epoch < 3; ) {
      try {
        for (let b = 0; b < BATCHES; b++) {
          // Epoch 2, batch 3: a worker dies of an uncaught error in the weight-gradient kernel.
          if (epoch === 1 && b === 2 && !injected) {
            be.injectFaultForTesting('uncaught', 'conv2dBackwardFilter');
            injected = true;
          }
          await step(model, opt, ...batches[b]).data();
        }
        // Reading the weights for the checkpoint fails too if the last step's update was lost: a bad model is never
        // saved over a good checkpoint.
        saved = await checkpoint(model);
      } catch (err) {
        faults.push(`epoch ${epoch + 1}: ${(err as Error).message}`);
        model.loadStateDict(saved); // resume from the last epoch's checkpoint
        continue;
      }
      epoch++;
    }
    expect(faults).toHaveLength(1);
    // The loss of the faulty step was computed before the weight gradient, so the fault surfaces at the next read that
    // depends on the update (the next step's loss), naming the kernel where the worker died.
    expect(faults[0]).toMatch(/^epoch 2: .*kernel 'conv2dBackwardFilter' failed: worker \d died while running it \(uncaught error: injected uncaught error\)/);
    expectClose(saved, cpuAfter3);
    model.dispose();
    for (const t of batches.flat()) t.dispose();
  }, 60_000);
});
