/**
 * Training loop and evaluation. Each step runs inside `tidy`, so intermediate tensors are freed at once and the
 * number of live tensors is the same at every epoch end (parameters, their gradients and optimizer state). The loop
 * itself (non-finite loss → TrainingDivergedError, finite weights before checkpoints, resumable state, abort) is
 * loop.ts's, shared with fitDenoiser.
 */
import { CnnError, F, noGrad, tensor, tidy, type nn, type optim, type Tensor } from '@cnn/core';
import type { DataLoader, RawBatch } from '../data/loader.js';
import { trainLoop, type TrainState } from './loop.js';
import { yieldToEventLoop } from './yield.js';

export type LossFn = (logits: Tensor, target: Tensor) => Tensor;

export interface BatchStats {
  epoch: number;
  epochs: number;
  /** 1-based batch index within the epoch. */
  batch: number;
  batches: number;
  /** This batch's loss. */
  loss: number;
  /** Mean loss and training accuracy over the epoch so far. */
  runningLoss: number;
  accuracy: number;
  /** Images seen this epoch and training throughput so far. */
  seen: number;
  imagesPerSec: number;
  lr: number;
}

export interface EpochStats {
  epoch: number;
  epochs: number;
  /** Mean training loss and accuracy over the epoch (training mode: dropout active, augmentation applied). */
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  /** Training time of the epoch, validation excluded. */
  seconds: number;
  /** Learning rate used during the epoch. */
  lr: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface CheckpointInfo {
  epoch: number;
  model: nn.Module;
  stats: EpochStats;
  /** True when this epoch has the best validation accuracy so far (or the best training loss without `val`). */
  isBest: boolean;
}

export interface FitCallbacks {
  onBatchEnd?: (stats: BatchStats) => void | Promise<void>;
  onEpochEnd?: (stats: EpochStats) => void | Promise<void>;
  /** Called after every epoch, once the weights are checked finite; save the model here (e.g. with saveModel from
   * '@cnn/models/node'). */
  onCheckpoint?: (info: CheckpointInfo) => void | Promise<void>;
  /** Called after every epoch (after onCheckpoint) and when `signal` stops training, with the loop's state: save it
   * with the model and optimizer (writeCheckpoint from '@cnn/models/node') to resume later. */
  onTrainState?: (state: TrainState<EpochStats>) => void | Promise<void>;
}

export interface FitOptions {
  train: DataLoader;
  val?: DataLoader;
  epochs: number;
  optimizer: optim.Optimizer;
  /** Stepped once per epoch, after the epoch's updates. */
  scheduler?: optim.LRScheduler;
  /** When the scheduler steps: after every epoch (default, as PyTorch's epoch schedulers) or after every batch
   * (e.g. cosine decay over all the training steps). */
  schedulerInterval?: 'epoch' | 'batch';
  /** Default: cross entropy. */
  lossFn?: LossFn;
  callbacks?: FitCallbacks;
  /** Continue a run from a state given to onTrainState (restore the model's weights and the optimizer's state first,
   * e.g. with restoreCheckpoint): with the same data, loader options and seed the result is bit-identical to an
   * uninterrupted run. */
  resume?: TrainState<EpochStats>;
  /** Stops training after the step in progress: onTrainState gets that step's state, then a TrainingInterruptedError
   * is thrown. */
  signal?: AbortSignal;
}

export interface History {
  epochs: EpochStats[];
  loss: number[];
  accuracy: number[];
  imagesPerSec: number[];
  valLoss: number[];
  valAccuracy: number[];
}

export interface EvaluateResult {
  accuracy: number;
  loss: number;
  count: number;
  /** confusionMatrix[actual][predicted] counts. */
  confusionMatrix: number[][];
  /** Recall of each class (correct / images of that class); NaN for a class with no images. */
  perClassAccuracy: number[];
}

const defaultLoss: LossFn = (logits, target) => F.crossEntropy(logits, target);

/** Reads a step's loss and predictions back, then frees them (even when a read fails). */
async function readAndDispose(loss: Tensor, predicted: Tensor): Promise<{ lossValue: number; p: ArrayLike<number> }> {
  try {
    return { lossValue: await loss.item(), p: await predicted.data() };
  } finally {
    loss.dispose();
    predicted.dispose();
  }
}

function batchTensors(raw: RawBatch): { x: Tensor; y: Tensor } {
  return { x: tensor(raw.x, raw.shape), y: tensor(raw.y, [raw.size], 'int32') };
}

/** The History arrays of a list of epoch stats. */
function historyOf(epochs: EpochStats[]): History {
  const h: History = { epochs, loss: [], accuracy: [], imagesPerSec: [], valLoss: [], valAccuracy: [] };
  for (const s of epochs) {
    h.loss.push(s.loss);
    h.accuracy.push(s.accuracy);
    h.imagesPerSec.push(s.imagesPerSec);
    if (s.valLoss !== undefined) h.valLoss.push(s.valLoss);
    if (s.valAccuracy !== undefined) h.valAccuracy.push(s.valAccuracy);
  }
  return h;
}

/** Trains `model` for `epochs` epochs; returns the per-epoch history. Stops with a TrainingDivergedError (epoch, step,
 * learning rate) at the first non-finite loss. */
export async function fit(model: nn.Module, opts: FitOptions): Promise<History> {
  const { train, val, optimizer, callbacks = {} } = opts;
  const lossFn = opts.lossFn ?? defaultLoss;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new CnnError(`fit: epochs must be an integer ≥ 0, got ${String(opts.epochs)}`);
  if (!train || typeof train.rawBatches !== 'function') throw new CnnError('fit: train must be a DataLoader');
  const batches = train.numBatches;
  const epochs = await trainLoop<EpochStats>({
    op: 'fit', model, train, epochs: opts.epochs, optimizer, scheduler: opts.scheduler, schedulerInterval: opts.schedulerInterval,
    resume: opts.resume, signal: opts.signal, onTrainState: callbacks.onTrainState,
    step: async (raw) => {
      const { loss, predicted } = tidy(() => {
        const { x, y } = batchTensors(raw);
        const logits = model.forward(x);
        const l = lossFn(logits, y);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return { loss: l.detach(), predicted: logits.argmax(1) };
      });
      const { lossValue, p } = await readAndDispose(loss, predicted);
      let correct = 0;
      for (let r = 0; r < raw.size; r++) if (p[r] === raw.y[r]) correct++;
      return { loss: lossValue, sums: { correct } };
    },
    onBatch: callbacks.onBatchEnd
      ? (b) => callbacks.onBatchEnd!({
          epoch: b.epoch, epochs: opts.epochs, batch: b.batch, batches, loss: b.loss, runningLoss: b.lossSum / b.seen, accuracy: (b.sums.correct ?? 0) / b.seen,
          seen: b.seen, imagesPerSec: b.seen / Math.max(b.seconds, 1e-9), lr: b.lr,
        })
      : undefined,
    endEpoch: async (e) => {
      const stats: EpochStats = {
        epoch: e.epoch, epochs: opts.epochs, loss: e.seen ? e.lossSum / e.seen : NaN, accuracy: e.seen ? (e.sums.correct ?? 0) / e.seen : NaN,
        imagesPerSec: e.seen / Math.max(e.seconds, 1e-9), seconds: e.seconds, lr: e.lr,
      };
      if (val) {
        const r = await evaluate(model, val, { lossFn });
        stats.valLoss = r.loss;
        stats.valAccuracy = r.accuracy;
      }
      return stats;
    },
    score: (s) => s.valAccuracy ?? -s.loss,
    onEpoch: async (stats, isBest) => {
      await callbacks.onEpochEnd?.(stats);
      await callbacks.onCheckpoint?.({ epoch: stats.epoch, model, stats, isBest });
    },
  });
  return historyOf(epochs);
}

/** Accuracy, mean loss, confusion matrix and per-class accuracy of `model` (in eval mode, without autograd). */
export async function evaluate(model: nn.Module, loader: DataLoader, opts: { lossFn?: LossFn; numClasses?: number } = {}): Promise<EvaluateResult> {
  const lossFn = opts.lossFn ?? defaultLoss;
  const wasTraining = model.training;
  model.eval();
  let classes = opts.numClasses ?? loader.dataset.classNames.length;
  let confusion: number[][] = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let count = 0;
  let correct = 0;
  let lossSum = 0;
  try {
    for (const raw of loader.rawBatches()) {
      await yieldToEventLoop();
      const { loss, predicted } = noGrad(() =>
        tidy(() => {
          const { x, y } = batchTensors(raw);
          const logits = model.forward(x);
          if (logits.rank !== 2) throw new CnnError(`evaluate: the model returned shape [${logits.shape.join(', ')}], expected [batch, classes]`);
          if (logits.shape[1] > classes) {
            classes = logits.shape[1];
            confusion = Array.from({ length: classes }, (_, i) => [...(confusion[i] ?? []), ...new Array<number>(classes - (confusion[i]?.length ?? 0)).fill(0)]);
          }
          return { loss: lossFn(logits, y), predicted: logits.argmax(1) };
        }),
      );
      const { lossValue, p } = await readAndDispose(loss, predicted);
      for (let r = 0; r < raw.size; r++) {
        const actual = raw.y[r];
        const pred = p[r];
        confusion[actual][pred]++;
        if (pred === actual) correct++;
      }
      count += raw.size;
      lossSum += lossValue * raw.size;
    }
  } finally {
    model.train(wasTraining);
  }
  const perClassAccuracy = confusion.map((row, i) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n ? row[i] / n : NaN;
  });
  return { accuracy: count ? correct / count : NaN, loss: count ? lossSum / count : NaN, count, confusionMatrix: confusion, perClassAccuracy };
}
