/**
 * The training loop shared by `fit` and `fitDenoiser`: epochs of batches, each handed to a per-batch step function
 * (forward, loss, backward, optimizer step), with the guarantees both need:
 * - it stops at the first non-finite loss with a TrainingDivergedError naming the epoch, the step and the learning rate;
 * - parameters are checked finite before every checkpoint callback, so NaN weights are never saved over good ones;
 * - its whole state (epoch, position in the epoch, running sums, every random generator, the scheduler, the history)
 *   is handed to `onTrainState` after every epoch, and with `resume` a run continues from such a state exactly;
 * - with `signal`, an abort stops it after the step in progress, hands over the state of that last completed step and
 *   throws a TrainingInterruptedError.
 */
import { CnnError, globalGenerator, type Generator, type GeneratorState, type nn, type optim } from '@cnn/core';
import type { DataLoader, RawBatch } from '../data/loader.js';
import { yieldToEventLoop } from './yield.js';

/** What a step function reports: the batch's mean loss, and sums to accumulate over the epoch (e.g. `correct`). */
export interface StepOutcome {
  loss: number;
  sums?: Record<string, number>;
}

export type StepFn = (raw: RawBatch) => Promise<StepOutcome>;

/**
 * Everything needed, beside the model's weights and the optimizer's state, to continue a run exactly. Plain JSON.
 * `batch` is 0 after a whole epoch; after an interruption it is the number of batches of epoch `epoch + 1` done.
 */
export interface TrainState<S = unknown> {
  format: 'cnn-train-state/1';
  /** Epochs planned. */
  epochs: number;
  /** Epochs completed. */
  epoch: number;
  /** Batches completed in the epoch in progress (0 at an epoch boundary). */
  batch: number;
  /** Batches per epoch of the training loader (a resumed run must have the same). */
  batches: number;
  /** The epoch in progress so far: images, Σ loss·images, the step function's sums, seconds, its learning rate. */
  partial: { seen: number; lossSum: number; sums: Record<string, number>; seconds: number; lr: number } | null;
  rng: {
    /** The global generator (initialisation, dropout). */
    global: GeneratorState;
    /** The training loader's generator (shuffle, augmentation) now, and when the epoch in progress began. */
    loader: GeneratorState;
    loaderEpochStart: GeneratorState | null;
    /** The step function's own generators (e.g. the denoiser's noise). */
    extra: Record<string, GeneratorState>;
  };
  scheduler: optim.LRSchedulerStateDict | null;
  /** One entry per completed epoch (the caller's epoch stats). */
  history: S[];
  /** Best score so far (null before the first epoch). */
  best: number | null;
}

/** The loss became NaN or ±Infinity: training stopped there. */
export class TrainingDivergedError extends CnnError {
  constructor(readonly op: string, readonly loss: number, readonly epoch: number, readonly epochs: number, readonly step: number, readonly steps: number, readonly lr: number) {
    super(
      `${op}: the loss became ${loss} at epoch ${epoch}/${epochs}, step ${step}/${steps} (learning rate ${lr}); training stopped. ` +
        'Try a lower learning rate (e.g. half), check the data and its normalisation (inputs finite, about zero mean and unit variance; labels in range), ' +
        'or clip the gradients / warm the learning rate up',
    );
    this.name = 'TrainingDivergedError';
  }
}

/** A step failed (a backend fault such as a worker that died, or an error in the step function): the error names the
 * epoch and step, keeps the original as `cause`, and says how to go on. The optimizer may have updated some weights
 * in that step, so the model in memory is not to be trusted. */
export class TrainingStepError extends CnnError {
  constructor(readonly op: string, readonly epoch: number, readonly epochs: number, readonly step: number, readonly steps: number, cause: unknown) {
    super(
      `${op}: step ${step}/${steps} of epoch ${epoch}/${epochs} failed: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'The weights in memory may be partly updated: resume from the last checkpoint (the train state of the last completed epoch)',
    );
    this.name = 'TrainingStepError';
    (this as { cause?: unknown }).cause = cause;
  }
}

/** Training was stopped by its abort signal; `state` is the state handed to onTrainState (the last completed step). */
export class TrainingInterruptedError extends CnnError {
  constructor(readonly op: string, readonly state: TrainState) {
    super(`${op}: interrupted after epoch ${state.epoch}${state.batch ? `, step ${state.batch}/${state.batches} of epoch ${state.epoch + 1}` : ''}`);
    this.name = 'TrainingInterruptedError';
  }
}

/** A parameter or buffer holds NaN or ±Infinity: the model must not be saved. */
export class NonFiniteWeightsError extends CnnError {
  constructor(readonly op: string, readonly tensorName: string, readonly value: number) {
    super(`${op}: the model's ${tensorName} holds ${value}; not saving it (the last good checkpoint is kept)`);
    this.name = 'NonFiniteWeightsError';
  }
}

/** Throws NonFiniteWeightsError when any float parameter or buffer of `model` is NaN or ±Infinity. */
export async function assertFiniteWeights(model: nn.Module, op = 'assertFiniteWeights'): Promise<void> {
  for (const [name, t] of Object.entries(model.stateDict())) {
    if (t.dtype !== 'float32') continue;
    const d = await t.data();
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) throw new NonFiniteWeightsError(op, name, d[i]);
  }
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  seen: number;
  lossSum: number;
  sums: Record<string, number>;
  /** Training seconds of the epoch so far. */
  seconds: number;
  lr: number;
}

export interface EpochProgress {
  epoch: number;
  seen: number;
  lossSum: number;
  sums: Record<string, number>;
  seconds: number;
  /** The learning rate when the epoch began. */
  lr: number;
}

export interface LoopOptions<S> {
  op: string;
  model: nn.Module;
  train: DataLoader;
  epochs: number;
  optimizer: optim.Optimizer;
  scheduler?: optim.LRScheduler;
  schedulerInterval?: 'epoch' | 'batch';
  step: StepFn;
  /** Generators the step function draws from, saved in the state by name. */
  generators?: Record<string, Generator>;
  onBatch?: (p: BatchProgress) => void | Promise<void>;
  /** Builds the epoch's stats (validation included); runs before the history records them. */
  endEpoch: (p: EpochProgress) => Promise<S>;
  /** Higher is better; decides `isBest`. */
  score: (s: S) => number;
  /** After the history records the epoch: the caller's epoch-end and checkpoint callbacks (weights checked finite first). */
  onEpoch?: (s: S, isBest: boolean, history: readonly S[]) => void | Promise<void>;
  onTrainState?: (state: TrainState<S>) => void | Promise<void>;
  resume?: TrainState<S>;
  signal?: AbortSignal;
}

function checkResume<S>(op: string, r: TrainState<S>, opts: LoopOptions<S>): void {
  if (!r || r.format !== 'cnn-train-state/1') throw new CnnError(`${op}: resume must be a state from onTrainState (format cnn-train-state/1), got ${JSON.stringify((r as { format?: unknown })?.format)}`);
  if (r.batches !== opts.train.numBatches) {
    throw new CnnError(`${op}: cannot resume: the checkpoint's epochs have ${r.batches} batches, this loader ${opts.train.numBatches} (same data, limit and batch size needed)`);
  }
  if (r.epoch > opts.epochs || (r.epoch === opts.epochs && r.batch > 0)) throw new CnnError(`${op}: cannot resume: the checkpoint is past epoch ${opts.epochs}`);
  if (Boolean(r.scheduler) !== Boolean(opts.scheduler)) throw new CnnError(`${op}: cannot resume: the checkpoint ${r.scheduler ? 'has' : 'has no'} scheduler state and this run ${opts.scheduler ? 'has' : 'has no'} scheduler`);
  for (const name of Object.keys(opts.generators ?? {})) if (!r.rng.extra[name]) throw new CnnError(`${op}: cannot resume: the checkpoint has no state for generator '${name}'`);
}

const same = (a: GeneratorState, b: GeneratorState): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Runs the epochs (see the file comment); returns the history of epoch stats. */
export async function trainLoop<S>(opts: LoopOptions<S>): Promise<S[]> {
  const { op, model, train, optimizer, scheduler, generators = {}, signal } = opts;
  const batches = train.numBatches;
  const r = opts.resume;
  if (r) {
    checkResume(op, r, opts);
    if (r.scheduler) scheduler!.loadStateDict(r.scheduler);
    for (const [name, g] of Object.entries(generators)) g.setState(r.rng.extra[name]);
    globalGenerator().setState(r.rng.global);
    // Mid-epoch, the loader restarts the epoch from its start state and replays the batches done (see below).
    train.setState(r.batch ? r.rng.loaderEpochStart! : r.rng.loader);
  }
  const history: S[] = r ? [...r.history] : [];
  let best = r?.best ?? -Infinity;
  const capture = (epoch: number, batch: number, partial: TrainState['partial'], loaderEpochStart: GeneratorState | null): TrainState<S> => ({
    format: 'cnn-train-state/1', epochs: opts.epochs, epoch, batch, batches, partial,
    rng: { global: globalGenerator().getState(), loader: train.getState(), loaderEpochStart, extra: Object.fromEntries(Object.entries(generators).map(([k, g]) => [k, g.getState()])) },
    scheduler: scheduler ? scheduler.stateDict() : null, history: [...history], best: Number.isFinite(best) ? best : null,
  });
  for (let epoch = (r?.epoch ?? 0) + 1; epoch <= opts.epochs; epoch++) {
    model.train();
    const midEpoch = r && epoch === r.epoch + 1 && r.batch > 0 ? r : null;
    const loaderEpochStart = train.getState();
    const p = midEpoch?.partial;
    const lr = p ? p.lr : optimizer.lr;
    let seen = p?.seen ?? 0;
    let lossSum = p?.lossSum ?? 0;
    const sums: Record<string, number> = { ...(p?.sums ?? {}) };
    const started = performance.now() - (p?.seconds ?? 0) * 1000;
    let batch = 0;
    const skip = midEpoch?.batch ?? 0;
    for (const raw of train.rawBatches()) {
      batch++;
      if (batch <= skip) {
        // Replays the loader's draws (order, augmentation) up to where the interrupted run stopped; no training.
        if (batch === skip && !same(train.getState(), midEpoch!.rng.loader)) throw new CnnError(`${op}: cannot resume: the training data or loader options differ from the checkpoint's`);
        continue;
      }
      await yieldToEventLoop();
      const stepLr = optimizer.lr;
      let out: StepOutcome;
      try {
        out = await opts.step(raw);
      } catch (err) {
        throw new TrainingStepError(op, epoch, opts.epochs, batch, batches, err);
      }
      if (!Number.isFinite(out.loss)) throw new TrainingDivergedError(op, out.loss, epoch, opts.epochs, batch, batches, stepLr);
      if (opts.schedulerInterval === 'batch') scheduler?.step();
      seen += raw.size;
      lossSum += out.loss * raw.size;
      for (const [k, v] of Object.entries(out.sums ?? {})) sums[k] = (sums[k] ?? 0) + v;
      const seconds = (performance.now() - started) / 1000;
      await opts.onBatch?.({ epoch, batch, batches, loss: out.loss, seen, lossSum, sums: { ...sums }, seconds, lr });
      if (signal?.aborted && batch < batches) {
        await assertFiniteWeights(model, op);
        const state = capture(epoch - 1, batch, { seen, lossSum, sums: { ...sums }, seconds, lr }, loaderEpochStart);
        await opts.onTrainState?.(state);
        throw new TrainingInterruptedError(op, state);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (opts.schedulerInterval !== 'batch') scheduler?.step();
    const stats = await opts.endEpoch({ epoch, seen, lossSum, sums, seconds, lr });
    history.push(stats);
    const score = opts.score(stats);
    const isBest = score > best;
    if (isBest) best = score;
    await assertFiniteWeights(model, op);
    await opts.onEpoch?.(stats, isBest, history);
    const state = capture(epoch, 0, null, null);
    await opts.onTrainState?.(state);
    if (signal?.aborted && epoch < opts.epochs) throw new TrainingInterruptedError(op, state);
  }
  return history;
}
