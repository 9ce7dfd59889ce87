/**
 * Training loop and evaluation. Each step runs inside `tidy`, so intermediate tensors are freed at once and the
 * number of live tensors is the same at every epoch end (parameters, their gradients and optimizer state).
 */
import { CnnError, F, noGrad, tensor, tidy, type nn, type optim, type Tensor } from '@cnn/core';
import type { DataLoader, RawBatch } from '../data/loader.js';
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
  /** Called after every epoch; save the model here (e.g. with saveModel from '@cnn/models/node'). */
  onCheckpoint?: (info: CheckpointInfo) => void | Promise<void>;
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

/** Trains `model` for `epochs` epochs; returns the per-epoch history. */
export async function fit(model: nn.Module, opts: FitOptions): Promise<History> {
  const { train, val, optimizer, scheduler, callbacks = {} } = opts;
  const lossFn = opts.lossFn ?? defaultLoss;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new CnnError(`fit: epochs must be an integer ≥ 0, got ${String(opts.epochs)}`);
  if (!train || typeof train.rawBatches !== 'function') throw new CnnError('fit: train must be a DataLoader');
  const history: History = { epochs: [], loss: [], accuracy: [], imagesPerSec: [], valLoss: [], valAccuracy: [] };
  let best = -Infinity;
  const batches = train.numBatches;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    model.train();
    const lr = optimizer.lr;
    const started = performance.now();
    let seen = 0;
    let lossSum = 0;
    let correct = 0;
    let batch = 0;
    for (const raw of train.rawBatches()) {
      await yieldToEventLoop();
      batch++;
      const { loss, predicted } = tidy(() => {
        const { x, y } = batchTensors(raw);
        const logits = model.forward(x);
        const l = lossFn(logits, y);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return { loss: l.detach(), predicted: logits.argmax(1) };
      });
      if (opts.schedulerInterval === 'batch') scheduler?.step();
      const { lossValue, p } = await readAndDispose(loss, predicted);
      if (!Number.isFinite(lossValue)) throw new CnnError(`fit: the loss became ${lossValue} at epoch ${epoch}, batch ${batch} (try a lower learning rate)`);
      for (let r = 0; r < raw.size; r++) if (p[r] === raw.y[r]) correct++;
      seen += raw.size;
      lossSum += lossValue * raw.size;
      if (callbacks.onBatchEnd) {
        const secs = (performance.now() - started) / 1000;
        await callbacks.onBatchEnd({
          epoch, epochs: opts.epochs, batch, batches, loss: lossValue, runningLoss: lossSum / seen, accuracy: correct / seen, seen,
          imagesPerSec: seen / Math.max(secs, 1e-9), lr,
        });
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (opts.schedulerInterval !== 'batch') scheduler?.step();
    const stats: EpochStats = {
      epoch, epochs: opts.epochs, loss: seen ? lossSum / seen : NaN, accuracy: seen ? correct / seen : NaN,
      imagesPerSec: seen / Math.max(seconds, 1e-9), seconds, lr,
    };
    if (val) {
      const r = await evaluate(model, val, { lossFn });
      stats.valLoss = r.loss;
      stats.valAccuracy = r.accuracy;
    }
    history.epochs.push(stats);
    history.loss.push(stats.loss);
    history.accuracy.push(stats.accuracy);
    history.imagesPerSec.push(stats.imagesPerSec);
    if (stats.valLoss !== undefined) history.valLoss.push(stats.valLoss);
    if (stats.valAccuracy !== undefined) history.valAccuracy.push(stats.valAccuracy);
    await callbacks.onEpochEnd?.(stats);
    const score = stats.valAccuracy ?? -stats.loss;
    const isBest = score > best;
    if (isBest) best = score;
    await callbacks.onCheckpoint?.({ epoch, model, stats, isBest });
  }
  return history;
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
