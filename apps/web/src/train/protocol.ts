/**
 * The messages between the training panel (main thread) and the trainer (a module Web Worker, or the same code on
 * the main thread when the backend cannot start in a worker). Plain structured-cloneable data only.
 */
import type { EpochStats } from '@cnn/models';
import type { BackendName } from '../app-api.js';

/** The architectures the panel offers: the small models of @cnn/models that fit 1×28×28 inputs. */
export type TrainModelName = 'lenet5' | 'mnistCnn' | 'vgg-small';

export interface TrainSettings {
  model: TrainModelName;
  /** Training images (the first n of the 60,000). */
  samples: number;
  epochs: number;
  batchSize: number;
  /** Adam's initial learning rate; it decays to 0 along a cosine over all the training steps. */
  lr: number;
  /** Test images to evaluate on at the end (the first n of the 10,000). */
  testSamples: number;
  /** Seed for initialisation and shuffling: the same settings train the same model on every backend. */
  seed: number;
}

/** Images as raw 0–255 bytes, n×1×28×28 row-major, with their labels. */
export interface DigitsPayload {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Where the training computes: a dedicated worker, or the page's main thread (yielding between steps). */
export type TrainMode = 'worker' | 'main-thread';

// ---- panel → trainer ----

export interface StartMessage {
  type: 'start';
  backend: BackendName;
  settings: TrainSettings;
  train: DigitsPayload;
  test: DigitsPayload;
}

/** Stop after the current step; the partly trained model is still evaluated and sent back. */
export interface StopMessage {
  type: 'stop';
}

export type ToTrainer = StartMessage | StopMessage;

// ---- trainer → panel ----

/** The backend started (in the worker) and computes correctly. `backend` is the name it registered under. */
export interface BackendReadyMessage {
  type: 'backend-ready';
  backend: string;
}

/** The backend could not start where the trainer runs: the panel falls back to the main thread. */
export interface BackendFailedMessage {
  type: 'backend-failed';
  backend: BackendName;
  message: string;
}

export interface StepMessage {
  type: 'step';
  /** 1-based step over the whole run, and the run's total. */
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  /** This step's loss and accuracy (on its own batch). */
  loss: number;
  accuracy: number;
  /** Mean loss and accuracy over the epoch so far. */
  runningLoss: number;
  runningAccuracy: number;
  /** Images per second over the epoch so far. */
  imagesPerSec: number;
  /** The learning rate after this step's cosine decay (what the next step uses). */
  lr: number;
}

/** An epoch's summary: fit's own EpochStats (mean loss and accuracy, images/s, seconds), without what the panel does not show. */
export interface EpochMessage extends Pick<EpochStats, 'epoch' | 'epochs' | 'loss' | 'accuracy' | 'imagesPerSec' | 'seconds'> {
  type: 'epoch';
}

export interface EvaluatingMessage {
  type: 'evaluating';
  /** Test images evaluated so far, of `total`. */
  done: number;
  total: number;
}

export interface TrainResult {
  /** The trained model as one safetensors file (encodeModelFile), ready for app.setModel. */
  bytes: Uint8Array;
  testAccuracy: number;
  testLoss: number;
  /** Test images the accuracy is measured on. */
  testCount: number;
  /** confusionMatrix[actual][predicted] counts. */
  confusionMatrix: number[][];
  /** True when the user stopped before the last step. */
  stopped: boolean;
  /** Steps and images actually trained. */
  steps: number;
  imagesSeen: number;
  trainSeconds: number;
  evalSeconds: number;
  /** The backend name the trainer ran on. */
  backend: string;
}

export interface DoneMessage extends TrainResult {
  type: 'done';
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type FromTrainer = BackendReadyMessage | BackendFailedMessage | StepMessage | EpochMessage | EvaluatingMessage | DoneMessage | ErrorMessage;
