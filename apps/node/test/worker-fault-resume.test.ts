/**
 * Faults during training, end to end (issue 11, item 5), with the real checkpoint files: `fit` on the workers backend
 * writes a checkpoint after every epoch (encodeCheckpoint + writeCheckpoint into a folder); a worker dies mid-epoch 2
 * (process.exit in the forward conv, or an uncaught error in the weight-gradient kernel); fit rejects promptly with the
 * backend's worker-death error and writes nothing more; the pool has replaced the worker; the run is read back with
 * readCheckpoint, restored into fresh objects built with another seed and resumed through fit's `resume` on the same
 * backend instance, ending with weights bit-identical to a run on workers that was never interrupted. The workers
 * backend is deterministic for a fixed thread count (each output element is computed by one worker, in a fixed order),
 * which the two uninterrupted runs below check, so bit-identity is the right bar here, not a tolerance.
 *
 * Here in apps/node, not in packages/models, because this package already depends on both @cnn/models and (through
 * @cnn/backends) @cnn/backend-workers; the workers options come from the environment for the same reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBackend, Generator, manualSeed, nn, optim, setBackend, type Backend } from '@cnn/core';
import '@cnn/backend-cpu';
import { loadBackend } from '@cnn/backends';
import { DataLoader, encodeCheckpoint, fit, restoreCheckpoint, TrainingInterruptedError, type EpochStats, type ImageDataset, type TrainState } from '@cnn/models';
import { readCheckpoint, readCheckpointManifest, writeCheckpoint } from '@cnn/models/node';

/** The workers backend's test hooks (see packages/backend-workers/src/backend.ts). */
type WorkersTestHooks = Backend & { injectFaultForTesting(kind: 'exit' | 'uncaught', kernel?: string): void; info(): Record<string, string | number | boolean> };

/** 8×8 images with a bright bar in the top, middle or bottom third (class 0, 1, 2), in noise. */
function bars(count: number, seed: number): ImageDataset {
  const g = new Generator(seed);
  const S = 8;
  const images = new Uint8Array(count * S * S);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const c = g.int(3);
    labels[n] = c;
    for (let i = 0; i < S * S; i++) images[n * S * S + i] = Math.min(255, (Math.floor(Math.floor(i / S) / 3) === c ? 180 : 0) + g.int(60));
  }
  return { name: 'bars', images, labels, count, channels: 1, height: S, width: S, classNames: ['top', 'middle', 'bottom'] };
}

const data = bars(64, 1); // batch 16: 4 steps an epoch
const EPOCHS = 2;

/** Model, loader, optimizer and scheduler, built the same way every time (as a resumed run rebuilds them). Dropout,
 * shuffling, augmentation and a per-batch cosine schedule all draw on state the checkpoint must carry. */
function setup(seed: number) {
  manualSeed(seed);
  const model = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }), new nn.BatchNorm2d({ numFeatures: 4 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1 }), new nn.ReLU(),
    new nn.Flatten(), new nn.Dropout({ p: 0.2 }), new nn.Linear({ inFeatures: 64, outFeatures: 3 }),
  );
  const train = new DataLoader(data, { batchSize: 16, shuffle: true, seed: 4, augment: { randomCrop: { padding: 1 }, horizontalFlip: true }, normalize: { mean: 0.3, std: 0.4 } });
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new optim.CosineAnnealingLR(optimizer, { tMax: EPOCHS * train.numBatches });
  return { model, train, optimizer, scheduler };
}

type Setup = ReturnType<typeof setup>;

/** Every parameter and buffer, read back (the workers backend reads asynchronously only). */
async function weights(m: nn.Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(m.stateDict())) out[k] = Array.from(await t.data());
  return out;
}

/** fit with a file checkpoint after every epoch (and at an abort), as the CLI writes them; `atBatch` runs after each step. */
function run(s: Setup, o: { dir?: string; resume?: TrainState<EpochStats>; signal?: AbortSignal; atBatch?: (epoch: number, batch: number) => void }) {
  return fit(s.model, {
    train: s.train, epochs: EPOCHS, optimizer: s.optimizer, scheduler: s.scheduler, schedulerInterval: 'batch', resume: o.resume, signal: o.signal,
    callbacks: {
      onBatchEnd: (b) => o.atBatch?.(b.epoch, b.batch),
      onTrainState: async (st) => {
        if (o.dir) await writeCheckpoint(o.dir, await encodeCheckpoint(s.model, s.optimizer, st), { epoch: st.epoch, batch: st.batch });
      },
    },
  });
}

/** Reads the folder's latest checkpoint back into a fresh setup (another seed: everything must come from the files)
 * and trains to the end; returns the final weights. */
async function resumeFrom(dir: string): Promise<Record<string, number[]>> {
  const ckpt = await readCheckpoint<EpochStats>(dir);
  const again = setup(12345);
  const resume = restoreCheckpoint(ckpt, again.model, again.optimizer);
  await run(again, { dir, resume });
  const w = await weights(again.model);
  again.model.dispose();
  return w;
}

const ENV = { CNN_WORKERS_THREADS: '2', CNN_WORKERS_INLINE_BELOW: '0' } as const;
const savedEnv = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));

describe('workers backend: a worker dies mid-epoch, fit rejects, the pool recovers and the run resumes from its checkpoint files', () => {
  let be: WorkersTestHooks;
  let straight: Record<string, number[]>;

  beforeAll(async () => {
    // Two workers, every parallel kernel on the pool (these tensors are tiny), so the convs run in the workers.
    Object.assign(process.env, ENV);
    be = (await loadBackend('workers')) as WorkersTestHooks;
    expect(be.info().threads).toBe(2);
    const s = setup(3);
    await run(s, {});
    straight = await weights(s.model);
    s.model.dispose();
  }, 30_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await disposeBackend('workers');
    await setBackend('cpu');
  });

  it('is deterministic: a second uninterrupted run gives the same weights bit for bit', async () => {
    const s = setup(3);
    await run(s, {});
    expect(await weights(s.model)).toEqual(straight);
    s.model.dispose();
  }, 20_000);

  const faults = [
    // The forward conv of epoch 2, step 3: its loss read fails, so that very step rejects.
    { kind: 'exit', kernel: 'conv2d', cause: /exited with code 7/ },
    // The weight gradient of epoch 2, step 3: the step's loss was computed before it, so the failure surfaces at the
    // next read that depends on the lost update (step 4's loss), still within epoch 2 and before any checkpoint.
    { kind: 'uncaught', kernel: 'conv2dBackwardFilter', cause: /uncaught error: injected uncaught error/ },
  ] as const;
  for (const f of faults) {
    it(`${f.kind} in '${f.kernel}' at epoch 2: fit rejects promptly naming the dead worker; resuming the epoch-1 checkpoint = never interrupted, bit for bit`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cnn-worker-fault-'));
      const s = setup(3);
      let t0 = 0;
      const steps: string[] = [];
      const err = await run(s, {
        dir,
        atBatch: (epoch, batch) => {
          steps.push(`${epoch}.${batch}`);
          if (epoch === 2 && batch === 2) {
            be.injectFaultForTesting(f.kind, f.kernel);
            t0 = performance.now();
          }
        },
      }).then(() => null, (e: unknown) => e as Error);
      const ms = performance.now() - t0;
      console.log(`[worker-fault] ${f.kind} in ${f.kernel}: fit rejected ${ms.toFixed(0)} ms after the fault was armed, after steps ${steps.join(' ')}: ${err?.message}`);
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(new RegExp(`^fit: step \\d/4 of epoch 2/2 failed: workers backend: kernel '\\w+' failed: .*kernel '${f.kernel}' failed: worker \\d died while running it \\(${f.cause.source}\\)\\. The pool has replaced the worker`));
      expect(ms).toBeLessThan(5_000); // promptly: a hang would run into the test's timeout instead
      expect(steps).toEqual(f.kernel === 'conv2d' ? ['1.1', '1.2', '1.3', '1.4', '2.1', '2.2'] : ['1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3']);
      // The checkpoint on disk is still epoch 1's, complete: nothing from the failed epoch was saved over it.
      const manifest = await readCheckpointManifest(dir);
      expect([manifest?.epoch, manifest?.batch, manifest?.seq]).toEqual([1, 0, 1]);
      s.model.dispose();

      // Same backend instance: the recovered pool (still two workers) finishes the run from the files.
      expect(be.info().threads).toBe(2);
      expect(await resumeFrom(dir)).toEqual(straight);
      expect((await readCheckpointManifest(dir))?.epoch).toBe(2);
    }, 20_000); // each takes under a second; a hang would fail here, well before vitest's default 120 s
  }

  it('without a fault, a run stopped mid-epoch 2 and resumed from its checkpoint files = never interrupted, bit for bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-worker-resume-'));
    const s = setup(3);
    const ac = new AbortController();
    const err = await run(s, { dir, signal: ac.signal, atBatch: (epoch, batch) => void (epoch === 2 && batch === 2 && ac.abort()) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingInterruptedError);
    const manifest = await readCheckpointManifest(dir);
    expect([manifest?.epoch, manifest?.batch]).toEqual([1, 2]);
    s.model.dispose();
    expect(await resumeFrom(dir)).toEqual(straight);
  }, 20_000);
});
