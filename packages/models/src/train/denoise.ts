/**
 * Denoising: the training loop and evaluation of a model that maps a noisy image to the clean one (the autoencoder,
 * a U-Net with an image head). Input = clean + Gaussian noise (std `noise.std`, clamped to [0, 1] unless
 * `clamp: false`), target = the clean image, loss = MSE. Images must be in [0, 1] (a DataLoader with no `normalize`),
 * so PSNR = 10·log10(1 / MSE). Each step runs inside `tidy`, as in `fit`, and the loop is fit's (loop.ts): it stops at a
 * non-finite loss, checks the weights before checkpoints, and can be resumed exactly (the noise generator included).
 */
import { CnnError, F, Generator, noGrad, tensor, tidy, type nn, type optim, type Tensor } from '@cnn/core';
import type { DataLoader, RawBatch } from '../data/loader.js';
import { trainLoop, type TrainState } from './loop.js';
import { yieldToEventLoop } from './yield.js';

export interface NoiseOptions {
  /** Standard deviation of the Gaussian noise added to every pixel (images in [0, 1]). */
  std: number;
  /** Clamp the noisy image to [0, 1], so it is still an image (default true). */
  clamp?: boolean;
}

export interface DenoiseResult {
  /** Mean squared error of the model's output against the clean images, over every pixel of the split. */
  mse: number;
  /** 10·log10(1 / mse), in dB: the PSNR of the whole split's mean squared error (not a mean of per-image PSNRs). */
  psnr: number;
  /** The same for the noisy input itself (what the model starts from). */
  noisyMse: number;
  noisyPsnr: number;
  count: number;
}

export interface DenoiseBatchStats {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** This batch's MSE. */
  loss: number;
  /** Mean MSE over the epoch so far, and its PSNR. */
  runningLoss: number;
  psnr: number;
  seen: number;
  imagesPerSec: number;
  lr: number;
}

export interface DenoiseEpochStats {
  epoch: number;
  epochs: number;
  /** Mean training MSE (training mode, noise as in training) and its PSNR. */
  loss: number;
  psnr: number;
  imagesPerSec: number;
  /** Training time of the epoch, validation excluded. */
  seconds: number;
  lr: number;
  /** With `val`: the evaluation after this epoch. */
  val?: DenoiseResult;
}

export interface DenoiseHistory {
  epochs: DenoiseEpochStats[];
  loss: number[];
  psnr: number[];
}

export interface FitDenoiserOptions {
  train: DataLoader;
  val?: DataLoader;
  epochs: number;
  optimizer: optim.Optimizer;
  scheduler?: optim.LRScheduler;
  /** When the scheduler steps: after every epoch (default) or after every batch. */
  schedulerInterval?: 'epoch' | 'batch';
  noise: NoiseOptions;
  /** Seed of the training noise (default 0). Evaluation noise has its own seed (evaluateDenoiser's). */
  seed?: number;
  /** Seed of the validation noise (default 1): the same noisy images at every epoch. */
  valSeed?: number;
  callbacks?: {
    onBatchEnd?: (stats: DenoiseBatchStats) => void | Promise<void>;
    onEpochEnd?: (stats: DenoiseEpochStats) => void | Promise<void>;
    /** Called after every epoch, once the weights are checked finite (save the model here). */
    onCheckpoint?: (info: { epoch: number; model: nn.Module; stats: DenoiseEpochStats }) => void | Promise<void>;
    /** As fit's: the loop's state after every epoch and when `signal` stops training. */
    onTrainState?: (state: TrainState<DenoiseEpochStats>) => void | Promise<void>;
  };
  /** As fit's: continue from a state given to onTrainState (model and optimizer restored first). */
  resume?: TrainState<DenoiseEpochStats>;
  /** As fit's: stop after the step in progress. */
  signal?: AbortSignal;
}

/** PSNR in dB of a mean squared error, for signals whose peak is `peak` (1 for images in [0, 1]). */
export function psnr(mse: number, peak = 1): number {
  return 10 * Math.log10((peak * peak) / mse);
}

function checkNoise(op: string, noise: NoiseOptions): Required<NoiseOptions> {
  if (!noise || typeof noise !== 'object') throw new CnnError(`${op}: noise must be { std, clamp? }, got ${String(noise)}`);
  if (typeof noise.std !== 'number' || !Number.isFinite(noise.std) || noise.std < 0) throw new CnnError(`${op}: noise.std must be a finite number ≥ 0, got ${String(noise.std)}`);
  if (noise.clamp !== undefined && typeof noise.clamp !== 'boolean') throw new CnnError(`${op}: noise.clamp must be true or false, got ${String(noise.clamp)}`);
  return { std: noise.std, clamp: noise.clamp ?? true };
}

function checkLoader(op: string, name: string, loader: DataLoader | undefined): void {
  if (!loader || typeof loader.rawBatches !== 'function') throw new CnnError(`${op}: ${name} must be a DataLoader`);
  if (loader.normalize) throw new CnnError(`${op}: ${name} must give images in [0, 1] (a DataLoader without normalize); PSNR and the clamped noise assume it`);
}

/** `clean` + N(0, std²) per value (clamped to [0, 1] when `clamp`), from `gen`: a new array. */
export function addGaussianNoise(clean: Float32Array, noise: NoiseOptions, gen: Generator): Float32Array {
  const { std, clamp } = checkNoise('addGaussianNoise', noise);
  const out = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    const v = clean[i] + std * gen.normal();
    out[i] = clamp ? (v < 0 ? 0 : v > 1 ? 1 : v) : v;
  }
  return out;
}

function squaredError(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

function checkOutput(op: string, out: Tensor, raw: RawBatch): void {
  if (out.shape.join() !== raw.shape.join()) {
    throw new CnnError(`${op}: the model returned shape [${out.shape.join(', ')}] for input [${raw.shape.join(', ')}]; a denoiser must return its input's shape`);
  }
}

/** Trains `model` to remove the noise: MSE between model(noisy) and the clean image. Returns the per-epoch history. */
export async function fitDenoiser(model: nn.Module, opts: FitDenoiserOptions): Promise<DenoiseHistory> {
  const op = 'fitDenoiser';
  const { train, val, optimizer, callbacks = {} } = opts;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new CnnError(`${op}: epochs must be an integer ≥ 0, got ${String(opts.epochs)}`);
  checkLoader(op, 'train', train);
  if (val !== undefined) checkLoader(op, 'val', val);
  const noise = checkNoise(op, opts.noise);
  const gen = new Generator(opts.seed ?? 0);
  const batches = train.numBatches;
  const epochs = await trainLoop<DenoiseEpochStats>({
    op, model, train, epochs: opts.epochs, optimizer, scheduler: opts.scheduler, schedulerInterval: opts.schedulerInterval,
    generators: { noise: gen }, resume: opts.resume, signal: opts.signal, onTrainState: callbacks.onTrainState,
    step: async (raw) => {
      const noisy = addGaussianNoise(raw.x, noise, gen);
      const loss = tidy(() => {
        const out = model.forward(tensor(noisy, raw.shape));
        checkOutput(op, out, raw);
        const l = F.mseLoss(out, tensor(raw.x, raw.shape));
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return l.detach();
      });
      try {
        return { loss: await loss.item() };
      } finally {
        loss.dispose();
      }
    },
    onBatch: callbacks.onBatchEnd
      ? (b) => callbacks.onBatchEnd!({
          epoch: b.epoch, epochs: opts.epochs, batch: b.batch, batches, loss: b.loss, runningLoss: b.lossSum / b.seen, psnr: psnr(b.lossSum / b.seen), seen: b.seen,
          imagesPerSec: b.seen / Math.max(b.seconds, 1e-9), lr: b.lr,
        })
      : undefined,
    endEpoch: async (e) => {
      const mean = e.seen ? e.lossSum / e.seen : NaN;
      const stats: DenoiseEpochStats = { epoch: e.epoch, epochs: opts.epochs, loss: mean, psnr: psnr(mean), imagesPerSec: e.seen / Math.max(e.seconds, 1e-9), seconds: e.seconds, lr: e.lr };
      if (val) stats.val = await evaluateDenoiser(model, val, { noise, seed: opts.valSeed ?? 1 });
      return stats;
    },
    score: (s) => -(s.val?.mse ?? s.loss),
    onEpoch: async (stats) => {
      await callbacks.onEpochEnd?.(stats);
      await callbacks.onCheckpoint?.({ epoch: stats.epoch, model, stats });
    },
  });
  return { epochs, loss: epochs.map((s) => s.loss), psnr: epochs.map((s) => s.psnr) };
}

/**
 * MSE and PSNR of `model` on `loader`'s images with noise added (eval mode, no autograd; the mode is restored), beside
 * those of the noisy input itself. The noise comes from a generator seeded with `seed` (default 1), so every call
 * sees the same noisy images.
 */
export async function evaluateDenoiser(model: nn.Module, loader: DataLoader, opts: { noise: NoiseOptions; seed?: number }): Promise<DenoiseResult> {
  const op = 'evaluateDenoiser';
  checkLoader(op, 'loader', loader);
  const noise = checkNoise(op, opts?.noise);
  const gen = new Generator(opts.seed ?? 1);
  const wasTraining = model.training;
  model.eval();
  let count = 0;
  let values = 0;
  let sq = 0;
  let noisySq = 0;
  try {
    for (const raw of loader.rawBatches()) {
      await yieldToEventLoop();
      const noisy = addGaussianNoise(raw.x, noise, gen);
      const out = noGrad(() => tidy(() => model.forward(tensor(noisy, raw.shape))));
      let y: Float32Array;
      try {
        checkOutput(op, out, raw);
        const d = await out.data();
        y = d instanceof Float32Array ? d : Float32Array.from(d);
      } finally {
        out.dispose();
      }
      sq += squaredError(y, raw.x);
      noisySq += squaredError(noisy, raw.x);
      values += raw.x.length;
      count += raw.size;
    }
  } finally {
    model.train(wasTraining);
  }
  const mse = values ? sq / values : NaN;
  const noisyMse = values ? noisySq / values : NaN;
  return { mse, psnr: psnr(mse), noisyMse, noisyPsnr: psnr(noisyMse), count };
}

/** The first `count` images of `loader` (from `start`) as clean / noisy / denoised arrays [count, C, H, W], for
 * pictures (e.g. a grid: noisy → reconstruction → original). Eval mode, no autograd, mode restored. */
export async function denoiseSamples(
  model: nn.Module,
  loader: DataLoader,
  opts: { noise: NoiseOptions; seed?: number; start?: number; count: number },
): Promise<{ clean: Float32Array; noisy: Float32Array; denoised: Float32Array; shape: [number, number, number, number] }> {
  const op = 'denoiseSamples';
  checkLoader(op, 'loader', loader);
  const noise = checkNoise(op, opts?.noise);
  const start = opts.start ?? 0;
  const { count } = opts;
  if (!Number.isInteger(start) || start < 0) throw new CnnError(`${op}: start must be an integer ≥ 0, got ${String(start)}`);
  if (!Number.isInteger(count) || count < 1) throw new CnnError(`${op}: count must be an integer ≥ 1, got ${String(count)}`);
  if (start + count > loader.size) throw new CnnError(`${op}: images ${start}…${start + count - 1} are out of range (the loader has ${loader.size})`);
  if (loader.shuffle || loader.augment) throw new CnnError(`${op}: the loader must not shuffle or augment (images are taken by position)`);
  const { channels: C, height: H, width: W } = loader.dataset;
  const per = C * H * W;
  const clean = new Float32Array(count * per);
  let at = 0;
  for (const raw of loader.rawBatches()) {
    const first = at;
    at += raw.size;
    if (at <= start) continue;
    const from = Math.max(start, first) - first;
    const to = Math.min(start + count, at) - first;
    clean.set(raw.x.subarray(from * per, to * per), (first + from - start) * per);
    if (at >= start + count) break;
  }
  const shape: [number, number, number, number] = [count, C, H, W];
  const noisy = addGaussianNoise(clean, noise, new Generator(opts.seed ?? 1));
  const wasTraining = model.training;
  model.eval();
  try {
    const out = noGrad(() => tidy(() => model.forward(tensor(noisy, shape))));
    try {
      if (out.shape.join() !== shape.join()) throw new CnnError(`${op}: the model returned shape [${out.shape.join(', ')}] for input [${shape.join(', ')}]`);
      const d = await out.data();
      return { clean, noisy, denoised: d instanceof Float32Array ? d : Float32Array.from(d), shape };
    } finally {
      out.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
}
