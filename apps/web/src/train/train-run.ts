/**
 * One training run, the same code in the trainer worker and (as a fallback) on the main thread: Adam with a cosine
 * decay per step (as `cnn train`), `fit` from @cnn/models (every step in `tidy`, a macrotask break between steps),
 * then `evaluate` on the test images, then the model encoded as one file. Progress goes out as protocol messages.
 */
import { manualSeed, optim } from '@cnn/core';
import {
  DataLoader, encodeModelFile, evaluate, fit, MNIST_CLASSES, MNIST_STATS, type DataLoaderOptions, type ImageDataset, type RawBatch,
} from '@cnn/models';
import type { DigitsPayload, FromTrainer, TrainMode, TrainResult, TrainSettings } from './protocol.js';
import { buildTrainModel } from './settings.js';

export interface RunControl {
  /** Sends a progress message (the worker posts it; the main thread hands it to the panel). */
  emit(msg: FromTrainer): void;
  /** Polled after every step: true stops training there (the model is still evaluated and returned). */
  stopRequested(): boolean;
}

export interface RunRequest {
  settings: TrainSettings;
  train: DigitsPayload;
  test: DigitsPayload;
  /** The active backend's name and where it runs, recorded in the model file's `trainedWith`. */
  backend: string;
  mode: TrainMode;
  /** Test images per evaluation batch: smaller on the main thread, where each batch is one uninterrupted task. */
  evalBatchSize: number;
}

/** Thrown from fit's batch callback to end training after the current step. */
class StopAfterStep extends Error {}

export function digitsDataset(name: string, p: DigitsPayload): ImageDataset {
  return { name, images: p.images, labels: p.labels, count: p.count, channels: 1, height: 28, width: 28, classNames: MNIST_CLASSES };
}

/** A DataLoader that reports how many images it has handed out (evaluate has no callbacks of its own). */
class CountingLoader extends DataLoader {
  constructor(dataset: ImageDataset, opts: DataLoaderOptions, private readonly onBatchDone: (images: number) => void) {
    super(dataset, opts);
  }

  override *rawBatches(): IterableIterator<RawBatch> {
    let done = 0;
    for (const b of super.rawBatches()) {
      yield b; // resumes when the consumer asks for the next batch, i.e. when this one is processed
      done += b.size;
      this.onBatchDone(done);
    }
  }
}

function describe(req: RunRequest, stopped: boolean, imagesSeen: number): string {
  const s = req.settings;
  return (
    `web app: ${s.model} on the first ${s.samples.toLocaleString('en-US')} MNIST training images, ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}` +
    `${stopped ? ` (stopped after ${imagesSeen.toLocaleString('en-US')} images)` : ''}, batch ${s.batchSize}, adam lr ${s.lr} cosine per step, ` +
    `seed ${s.seed}, backend '${req.backend}' (${req.mode})`
  );
}

export async function runTraining(req: RunRequest, ctl: RunControl): Promise<TrainResult> {
  const { settings: s } = req;
  manualSeed(s.seed);
  const trainLoader = new DataLoader(digitsDataset('mnist/train', req.train), { batchSize: s.batchSize, shuffle: true, seed: s.seed, normalize: MNIST_STATS });
  const totalSteps = trainLoader.numBatches * s.epochs;
  const model = buildTrainModel(s.model);
  const optimizer = new optim.Adam(model.parameters(), { lr: s.lr });
  try {
    const scheduler = new optim.CosineAnnealingLR(optimizer, { tMax: Math.max(1, totalSteps) });
    let step = 0;
    let imagesSeen = 0;
    let stopped = false;
    // Per-step accuracy from fit's running epoch figures: correct-so-far differences.
    let prevSeen = 0;
    let prevCorrect = 0;
    const started = performance.now();
    try {
      await fit(model, {
        train: trainLoader, epochs: s.epochs, optimizer, scheduler, schedulerInterval: 'batch',
        callbacks: {
          onBatchEnd: (b) => {
            step++;
            if (b.batch === 1) prevSeen = prevCorrect = 0;
            const correct = Math.round(b.accuracy * b.seen);
            const size = b.seen - prevSeen;
            imagesSeen += size;
            ctl.emit({
              type: 'step', step, totalSteps, epoch: b.epoch, epochs: b.epochs, loss: b.loss, accuracy: (correct - prevCorrect) / size,
              runningLoss: b.runningLoss, runningAccuracy: b.accuracy, imagesPerSec: b.imagesPerSec, lr: optimizer.lr,
            });
            prevSeen = b.seen;
            prevCorrect = correct;
            if (step < totalSteps && ctl.stopRequested()) throw new StopAfterStep();
          },
          onEpochEnd: (e) => {
            ctl.emit({ type: 'epoch', epoch: e.epoch, epochs: e.epochs, loss: e.loss, accuracy: e.accuracy, imagesPerSec: e.imagesPerSec, seconds: e.seconds });
          },
        },
      });
    } catch (err) {
      if (!(err instanceof StopAfterStep)) throw err;
      stopped = true;
    }
    const trainSeconds = (performance.now() - started) / 1000;

    const total = req.test.count;
    ctl.emit({ type: 'evaluating', done: 0, total });
    const evalStarted = performance.now();
    const testLoader = new CountingLoader(digitsDataset('mnist/test', req.test), { batchSize: req.evalBatchSize, normalize: MNIST_STATS }, (done) =>
      ctl.emit({ type: 'evaluating', done, total }),
    );
    const r = await evaluate(model, testLoader);
    const evalSeconds = (performance.now() - evalStarted) / 1000;
    const bytes = await encodeModelFile(model, {
      classNames: [...MNIST_CLASSES],
      inputShape: [1, 28, 28],
      normalize: { ...MNIST_STATS },
      dataset: 'mnist',
      testAccuracy: r.accuracy,
      trainedWith: describe(req, stopped, imagesSeen),
    });
    return {
      bytes, testAccuracy: r.accuracy, testLoss: r.loss, testCount: r.count, confusionMatrix: r.confusionMatrix, stopped, steps: step, imagesSeen,
      trainSeconds, evalSeconds, backend: req.backend,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
