/**
 * Training that fails loudly and resumes exactly (issue 11): fit / fitDenoiser stop at the first non-finite loss
 * naming epoch, step and learning rate; NaN weights are never checkpointed; a run stopped mid-epoch or at an epoch
 * boundary, checkpointed (in memory and through files), restored into fresh objects after a different seed and
 * resumed ends with bit-identical weights to a run never stopped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { F, manualSeed, nn, optim, setBackend, type Tensor } from '@cnn/core';
import '@cnn/backend-cpu';
import {
  assertFiniteWeights, decodeCheckpoint, DataLoader, encodeCheckpoint, fit, fitDenoiser, NonFiniteWeightsError, restoreCheckpoint, TrainingDivergedError,
  TrainingInterruptedError, type TrainState,
} from '../src/index.js';
import { readCheckpoint, writeCheckpoint } from '../src/node.js';
import { bars } from './bars.js';

const classifier = (): nn.Module =>
  new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }), new nn.BatchNorm2d({ numFeatures: 4 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(), new nn.Dropout({ p: 0.2 }), new nn.Linear({ inFeatures: 64, outFeatures: 3 }),
  );

const denoiser = (): nn.Module =>
  new nn.Sequential(new nn.Conv2d({ inChannels: 1, outChannels: 3, kernelSize: 3, padding: 1 }), new nn.ReLU(), new nn.Conv2d({ inChannels: 3, outChannels: 1, kernelSize: 3, padding: 1 }));

const weights = (m: nn.Module): Record<string, number[]> => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]));

function maxAbsDiff(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let d = 0;
  for (const k of Object.keys(a)) a[k].forEach((v, i) => (d = Math.max(d, Math.abs(v - b[k][i]))));
  return d;
}

const data = bars(120, 1);
const EPOCHS = 3;

/** One training setup, built the same way every time (a resumed run rebuilds it, as the CLI does). */
function setup(kind: 'adam-cosine' | 'sgd-step' | 'denoise', seed: number) {
  manualSeed(seed);
  const model = kind === 'denoise' ? denoiser() : classifier();
  const train = new DataLoader(data, {
    batchSize: 16, shuffle: true, seed: 4, augment: { randomCrop: { padding: 1 }, horizontalFlip: true }, ...(kind === 'denoise' ? {} : { normalize: { mean: 0.3, std: 0.4 } }),
  });
  const optimizer = kind === 'sgd-step' ? new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) : new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = kind === 'sgd-step' ? new optim.StepLR(optimizer, { stepSize: 1, gamma: 0.5 }) : new optim.CosineAnnealingLR(optimizer, { tMax: EPOCHS * train.numBatches });
  return { model, train, optimizer, scheduler, schedulerInterval: kind === 'sgd-step' ? ('epoch' as const) : ('batch' as const) };
}

type Kind = Parameters<typeof setup>[0];

async function run(kind: Kind, s: ReturnType<typeof setup>, extra: { resume?: TrainState<never>; signal?: AbortSignal; stopAt?: [number, number]; onState?: (st: TrainState) => void }) {
  const ac = new AbortController();
  const common = {
    train: s.train, epochs: EPOCHS, optimizer: s.optimizer, scheduler: s.scheduler, schedulerInterval: s.schedulerInterval, resume: extra.resume, signal: ac.signal,
  };
  const onBatchEnd = (b: { epoch: number; batch: number }): void => {
    if (extra.stopAt && b.epoch === extra.stopAt[0] && b.batch === extra.stopAt[1]) ac.abort();
  };
  if (kind === 'denoise') {
    return fitDenoiser(s.model, { ...common, noise: { std: 0.3 }, seed: 9, callbacks: { onBatchEnd, onTrainState: extra.onState } });
  }
  return fit(s.model, { ...common, callbacks: { onBatchEnd, onTrainState: extra.onState } });
}

describe('resume', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  const points: [Kind, [number, number], 'memory' | 'files'][] = [
    ['adam-cosine', [2, 3], 'memory'], // mid-epoch
    ['adam-cosine', [1, 8], 'files'], // the last batch of epoch 1: stops after the epoch, at its boundary
    ['sgd-step', [2, 5], 'files'],
    ['denoise', [2, 4], 'files'],
  ];
  for (const [kind, stopAt, via] of points) {
    it(`${kind}: stopped at epoch ${stopAt[0]} batch ${stopAt[1]}, checkpointed (${via}) and resumed = never stopped, bit for bit`, async () => {
      const straight = setup(kind, 3);
      const full = await run(kind, straight, {});
      const expected = weights(straight.model);

      const first = setup(kind, 3);
      let saved: Uint8Array | null = null;
      let files: Record<string, Uint8Array> | null = null;
      const dir = mkdtempSync(join(tmpdir(), 'cnn-resume-'));
      const err = await run(kind, first, {
        stopAt,
        onState: async (st) => {
          files = await encodeCheckpoint(first.model, first.optimizer, st, { note: 'extra survives' });
          if (via === 'files') await writeCheckpoint(dir, files, { epoch: st.epoch, batch: st.batch });
          saved = files['state.json'];
        },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TrainingInterruptedError);
      const state = (err as TrainingInterruptedError).state;
      expect([state.epoch, state.batch]).toEqual(stopAt[1] === 8 ? [1, 0] : [stopAt[0] - 1, stopAt[1]]);
      expect(saved).not.toBeNull();

      const ckpt = via === 'files' ? await readCheckpoint(dir) : decodeCheckpoint(files!);
      expect(ckpt.extra).toEqual({ note: 'extra survives' });
      const again = setup(kind, 12345); // another seed: everything random must come from the checkpoint
      const resume = restoreCheckpoint(ckpt, again.model, again.optimizer);
      const rest = await run(kind, again, { resume: resume as TrainState<never> });
      const got = weights(again.model);
      expect(maxAbsDiff(got, expected)).toBe(0);
      expect(got).toEqual(expected);
      expect(again.optimizer.lr).toBe(straight.optimizer.lr);
      expect(rest.epochs.length).toBe(full.epochs.length);
      expect(rest.loss).toEqual(full.loss); // the running sums of the interrupted epoch were restored too
    }, 60_000);
  }

  it('refuses a checkpoint from a loader with other batches', async () => {
    const s = setup('adam-cosine', 3);
    let st: TrainState | null = null;
    await run('adam-cosine', s, { stopAt: [1, 2], onState: (x) => void (st = x) }).catch(() => undefined);
    const other = setup('adam-cosine', 3);
    const loader = new DataLoader(data, { batchSize: 8, shuffle: true, seed: 4 });
    await expect(fit(other.model, { train: loader, epochs: 3, optimizer: other.optimizer, scheduler: other.scheduler, resume: st as unknown as TrainState<never> })).rejects.toThrow(
      /8 batches, this loader 15/,
    );
  });
});

describe('failing loudly', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  it('fit stops at the first non-finite loss naming epoch, step and learning rate; NaN weights are never checkpointed', async () => {
    const s = setup('adam-cosine', 3);
    let calls = 0;
    const checkpoints: number[] = [];
    const poisoned = (logits: Tensor, y: Tensor): Tensor => {
      calls++;
      const l = F.crossEntropy(logits, y);
      return calls === 12 ? l.mul(NaN) : l; // epoch 2, step 4 (8 steps an epoch)
    };
    const err = await fit(s.model, {
      train: s.train, epochs: 3, optimizer: s.optimizer, lossFn: poisoned,
      callbacks: { onCheckpoint: ({ epoch }) => void checkpoints.push(epoch), onTrainState: (st) => void checkpoints.push(100 + st.epoch) },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^fit: the loss became NaN at epoch 2\/3, step 4\/8 \(learning rate 0\.01\); training stopped\./);
    expect(msg).toMatch(/lower learning rate/);
    expect(msg).toMatch(/normalisation/);
    expect(msg).toMatch(/clip the gradients/);
    expect(checkpoints).toEqual([1, 101]); // only epoch 1's
    // The step that gave NaN also updated the weights with NaN gradients: nothing may save them.
    await expect(assertFiniteWeights(s.model)).rejects.toBeInstanceOf(NonFiniteWeightsError);
    const st = { format: 'cnn-train-state/1' } as TrainState;
    await expect(encodeCheckpoint(s.model, s.optimizer, st)).rejects.toThrow(/holds NaN; not saving it/);
  });

  it('fitDenoiser stops the same way (the shared loop)', async () => {
    const s = setup('denoise', 3);
    const err = await fitDenoiser(s.model, { train: s.train, epochs: 2, optimizer: new optim.SGD(s.model.parameters(), { lr: 1e12 }), noise: { std: 0.3, clamp: false } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/^fitDenoiser: the loss became (NaN|Infinity) at epoch 1\/2, step \d+\/8 \(learning rate 1000000000000\)/);
  });
});
