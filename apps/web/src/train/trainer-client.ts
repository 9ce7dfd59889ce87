/**
 * Runs one training: in a dedicated module worker when the backend starts there, otherwise on the main thread with
 * the page's own (already started) backend, where `fit` yields to the event loop between steps. The caller gets the
 * progress messages, the mode actually used, a stop handle and the result.
 */
import { getBackendName } from '@cnn/core';
import { takeFirst } from '@cnn/models';
import type { BackendName } from '../app-api.js';
import type { MnistSplits } from './mnist-data.js';
import type { DigitsPayload, FromTrainer, StartMessage, ToTrainer, TrainMode, TrainResult, TrainSettings } from './protocol.js';
import { runTraining } from './train-run.js';

export interface TrainerHandlers {
  /** Progress: steps, epochs, evaluation. */
  onMessage(msg: FromTrainer): void;
  /** Where the run computes; `reason` says why it is not in a worker. */
  onMode(mode: TrainMode, backend: string, reason?: string): void;
}

export interface TrainerRun {
  /** Stops after the current step; the partly trained model is still evaluated and returned. */
  stop(): void;
  result: Promise<TrainResult>;
}

/** The first `n` images of a split as a compact copy the worker can own (its buffer is transferred). */
function payload(split: MnistSplits['train'], n: number): DigitsPayload {
  const count = Math.min(n, split.count);
  const per = split.channels * split.height * split.width;
  return { images: split.images.slice(0, count * per), labels: split.labels.slice(0, count), count };
}

/** A view of the first `n` images, for training on the main thread (no copy). */
function view(split: MnistSplits['train'], n: number): DigitsPayload {
  const t = takeFirst(split, n);
  return { images: t.images, labels: t.labels, count: t.count };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function startTrainer(backend: BackendName, settings: TrainSettings, data: MnistSplits, handlers: TrainerHandlers): TrainerRun {
  let stopRequested = false;
  let worker: Worker | null = null;

  const onMainThread = (reason: string): Promise<TrainResult> => {
    const active = getBackendName();
    handlers.onMode('main-thread', active, reason);
    return runTraining(
      { settings, train: view(data.train, settings.samples), test: view(data.test, settings.testSamples), backend: active, mode: 'main-thread', evalBatchSize: 64 },
      { emit: (m) => handlers.onMessage(m), stopRequested: () => stopRequested },
    );
  };

  const result = new Promise<TrainResult>((resolve, reject) => {
    const finish = (): void => {
      worker?.terminate();
      worker = null;
    };
    const fallBack = (reason: string): void => {
      finish();
      onMainThread(reason).then(resolve, reject);
    };
    try {
      worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'cnn-trainer' });
    } catch (err) {
      fallBack(`module workers are not available here (${errorText(err)})`);
      return;
    }
    let backendUp = false;
    worker.addEventListener('message', (e: MessageEvent<FromTrainer>) => {
      const msg = e.data;
      if (msg.type === 'backend-ready') {
        backendUp = true;
        handlers.onMode('worker', msg.backend);
      } else if (msg.type === 'backend-failed') {
        fallBack(`backend '${msg.backend}' cannot start in a worker: ${msg.message}`);
      } else if (msg.type === 'done') {
        finish();
        resolve(msg);
      } else if (msg.type === 'error') {
        finish();
        reject(new Error(msg.message));
      } else {
        handlers.onMessage(msg);
      }
    });
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      const why = e.message || 'the worker script failed to load';
      if (!backendUp) fallBack(`the trainer worker failed to start (${why})`);
      else {
        finish();
        reject(new Error(`the trainer worker crashed: ${why}`));
      }
    });
    const start: StartMessage = {
      type: 'start', backend, settings, train: payload(data.train, settings.samples), test: payload(data.test, settings.testSamples),
    };
    worker.postMessage(start, [start.train.images.buffer, start.train.labels.buffer, start.test.images.buffer, start.test.labels.buffer]);
  });

  return {
    stop() {
      stopRequested = true;
      const msg: ToTrainer = { type: 'stop' };
      worker?.postMessage(msg);
    },
    result,
  };
}
