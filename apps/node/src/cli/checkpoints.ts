/**
 * `pnpm cnn train`'s checkpoints: after every epoch the whole training state (weights, optimizer moments, scheduler,
 * every RNG, epoch, history, and the run's options) goes to the checkpoint folder with writeCheckpoint (crash-safe:
 * temporary files, fsync, rename, manifest last). Ctrl-C lets the step in progress finish, checkpoints that last
 * completed step and exits with code 130 and the resume command; a second Ctrl-C quits at once (the previous
 * checkpoint stays intact). `--resume <dir>` rebuilds the run from the options stored in the checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { optim, type nn, type Tensor } from '@cnn/core';
import { encodeCheckpoint, NonFiniteWeightsError, TrainingDivergedError, TrainingInterruptedError, TrainingStepError, type Checkpoint, type TrainState } from '@cnn/models';
import { readCheckpoint, readCheckpointManifest, writeCheckpoint, CHECKPOINT_MANIFEST } from '@cnn/models/node';
import { CliError } from './args.js';

/** Everything that defines a training run (stored in each checkpoint; --resume rebuilds the run from it). */
export interface TrainRun {
  modelName: string;
  datasetName: string;
  epochs: number;
  batchSize: number;
  limit: number | undefined;
  seed: number;
  optName: 'adam' | 'sgd';
  lr: number;
  schedule: 'cosine' | 'step' | 'none';
  lrStep: number | undefined;
  lrGamma: number;
  extra: Record<string, unknown> | undefined;
  augment: boolean;
  /** Denoisers: the training noise. */
  noise: { std: number; clamp: boolean } | null;
  outDir: string;
  checkpointDir: string;
}

/** How a run shows itself: not part of the run (a resumed run may change them). */
export interface TrainDisplay {
  backend: string;
  logEvery: number;
  tty: boolean;
}

export interface CliCheckpointExtra {
  format: 'cnn-cli-train/1';
  run: TrainRun;
}

/** The checkpoint folder `--resume` names: a checkpoint folder, or a --out folder with one in `checkpoints/`. */
export function checkpointFolder(given: string): string {
  if (existsSync(join(given, CHECKPOINT_MANIFEST))) return given;
  const inner = join(given, 'checkpoints');
  if (existsSync(join(inner, CHECKPOINT_MANIFEST))) return inner;
  throw new CliError(`train: --resume ${given}: no checkpoint there (no ${CHECKPOINT_MANIFEST} in it or in ${inner})`, 2);
}

export async function readResume(given: string): Promise<{ dir: string; ckpt: Checkpoint<unknown, CliCheckpointExtra>; run: TrainRun }> {
  const dir = checkpointFolder(given);
  let ckpt: Checkpoint<unknown, CliCheckpointExtra>;
  try {
    ckpt = await readCheckpoint<unknown, CliCheckpointExtra>(dir);
  } catch (err) {
    throw new CliError(`train: cannot resume from ${dir}: ${(err as Error).message}`);
  }
  if (ckpt.extra?.format !== 'cnn-cli-train/1') throw new CliError(`train: ${dir} was not written by pnpm cnn train (no run options in it)`);
  return { dir, ckpt, run: ckpt.extra.run };
}

/** Writes the state handed over by fit / fitDenoiser (with the model and optimizer) as the newest checkpoint. */
export async function saveCheckpoint(run: TrainRun, model: nn.Module, optimizer: optim.Optimizer, state: TrainState): Promise<void> {
  const extra: CliCheckpointExtra = { format: 'cnn-cli-train/1', run };
  try {
    await writeCheckpoint(run.checkpointDir, await encodeCheckpoint(model, optimizer, state, extra), { epoch: state.epoch, batch: state.batch });
  } catch (err) {
    if (err instanceof NonFiniteWeightsError) throw err;
    throw new CliError(`cannot write a checkpoint to ${run.checkpointDir}: ${(err as Error).message}`);
  }
}

/** First Ctrl-C: abort after the step in progress (the loop checkpoints it); second: quit at once. */
export function interruptOnSigint(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSigint = (): void => {
    if (ac.signal.aborted) {
      process.stderr.write('\ninterrupted again: quitting without a new checkpoint (the last one is intact)\n');
      process.exit(130);
    }
    process.stderr.write('\ninterrupt: finishing this step, then writing a checkpoint (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onSigint) };
}

/** Turns the loop's stops into the CLI's messages: how to resume, what to change, which checkpoint is good. */
export async function explainStop(err: unknown, run: TrainRun): Promise<never> {
  const dir = run.checkpointDir;
  const resume = `pnpm cnn train --resume ${dir}`;
  if (err instanceof TrainingInterruptedError) {
    const s = err.state;
    const where = s.batch ? `step ${s.batch}/${s.batches} of epoch ${s.epoch + 1} (the last completed step)` : `epoch ${s.epoch}`;
    throw new CliError(`train: interrupted; checkpoint of ${where} written to ${dir}. Resume with: ${resume}`, 130);
  }
  if (err instanceof TrainingDivergedError || err instanceof NonFiniteWeightsError) {
    const m = await readCheckpointManifest(dir).catch(() => null);
    const kept = m ? ` The last good checkpoint (epoch ${m.epoch}${m.batch ? `, step ${m.batch}` : ''}) is kept in ${dir}.` : ' No checkpoint was written.';
    const hint = err instanceof TrainingDivergedError ? ` With this CLI: --lr ${err.lr / 2} or lower, or --optimizer adam.` : '';
    throw new CliError(`${err.message.replace(/^\w+: /, 'train: ')}.${hint}${kept}`);
  }
  if (err instanceof TrainingStepError) {
    // A backend fault (a worker that died, a lost GPU context): the weights in memory are suspect, the checkpoint is not.
    const m = await readCheckpointManifest(dir).catch(() => null);
    const next = m ? ` Resume from epoch ${m.epoch}${m.batch ? `, step ${m.batch}` : ''} with: ${resume}` : ' No checkpoint was written yet; start again.';
    throw new CliError(`${err.message.replace(/^\w+: /, 'train: ').replace(/ The weights in memory.*$/, '')}${next}`);
  }
  throw err;
}

/** The optimizer and scheduler of a run (the same on resume, so their saved states fit). */
export function makeOptimizer(run: TrainRun, params: Iterable<Tensor>, batchesPerEpoch: number): { optimizer: optim.Optimizer; scheduler: optim.LRScheduler | undefined } {
  const optimizer = run.optName === 'adam' ? new optim.Adam(params, { lr: run.lr }) : new optim.SGD(params, { lr: run.lr, momentum: 0.9 });
  const scheduler =
    run.schedule === 'step' ? new optim.StepLR(optimizer, { stepSize: run.lrStep!, gamma: run.lrGamma })
    : run.schedule === 'cosine' ? new optim.CosineAnnealingLR(optimizer, { tMax: Math.max(1, run.epochs * batchesPerEpoch) })
    : undefined;
  return { optimizer, scheduler };
}

export interface Resume {
  dir: string;
  ckpt: Checkpoint<unknown, CliCheckpointExtra>;
}
