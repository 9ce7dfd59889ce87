/**
 * Denoising in the CLI: `train --model autoencoder|unet` (input = clean + Gaussian noise, target = the clean image,
 * MSE; reports test MSE and PSNR beside the noisy input's) and `reconstruct` (a PNG grid: noisy → reconstruction →
 * original, one row per test image).
 */
import { manualSeed, type nn } from '@cnn/core';
import {
  assertFiniteWeights, DataLoader, denoiseSamples, evaluateDenoiser, fitDenoiser, imagesToGrid, models, psnr, restoreCheckpoint, type DenoiseEpochStats, type DenoiseResult,
  type ImageDataset, type TrainState,
} from '@cnn/models';
import { loadDataset, savePng } from '@cnn/models/node';
import { CliError } from './args.js';
import type { ModelMeta } from './model-dir.js';
import { saveModelDir } from './model-dir.js';
import { makeProgress } from './progress.js';
import { explainStop, interruptOnSigint, makeOptimizer, saveCheckpoint, type Resume, type TrainDisplay, type TrainRun } from './checkpoints.js';

/** The CLI's models that map an image to an image, trained as denoisers. */
export const DENOISERS = ['autoencoder', 'unet'] as const;
export type DenoiserName = (typeof DENOISERS)[number];
export const isDenoiser = (name: string): name is DenoiserName => (DENOISERS as readonly string[]).includes(name);

/** The noise std when neither --noise nor the model's cnn.json gives one. */
export const DEFAULT_NOISE = 0.5;

const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Builds a denoiser for `inChannels`-channel images: the autoencoder, or a U-Net with as many output channels. */
export function buildDenoiser(name: DenoiserName, inChannels: number, extra: Record<string, unknown> = {}): { model: nn.Module; options: Record<string, unknown> } {
  const options = name === 'unet' ? { inChannels, outChannels: inChannels, ...extra } : { inChannels, ...extra };
  try {
    return { model: name === 'unet' ? models.unet(options) : models.autoencoder(options), options };
  } catch (err) {
    throw new CliError(`cannot build model '${name}': ${(err as Error).message}`);
  }
}

const fmtResult = (r: DenoiseResult): string => `test MSE ${r.mse.toFixed(5)}  PSNR ${r.psnr.toFixed(2)} dB (noisy input ${r.noisyPsnr.toFixed(2)} dB)`;

/** `train --model autoencoder|unet`: trains on noisy → clean (or resumes), evaluates and saves after every epoch,
 * checkpoints after every epoch and on Ctrl-C (checkpoints.ts). */
export async function trainDenoiser(a: TrainRun, display: TrainDisplay, resume?: Resume): Promise<void> {
  const noise = a.noise!;
  manualSeed(a.seed);
  const started = performance.now();
  const trainSet = loadDataset(a.datasetName, { split: 'train' });
  const testSet = loadDataset(a.datasetName, { split: 'test' });
  // Images stay in [0, 1] (no normalisation): the noise is clamped there and PSNR's peak is 1.
  const augment = a.augment ? { randomCrop: { padding: 2 }, horizontalFlip: a.datasetName === 'fashion-mnist' } : null;
  const trainLoader = new DataLoader(trainSet, { batchSize: a.batchSize, shuffle: true, seed: a.seed, augment, limit: a.limit });
  const testLoader = new DataLoader(testSet, { batchSize: 256, limit: a.limit });
  const { model, options } = buildDenoiser(a.modelName as DenoiserName, trainSet.channels, a.extra);
  const { optimizer, scheduler } = makeOptimizer(a, model.parameters(), trainLoader.numBatches);
  let state: TrainState<DenoiseEpochStats> | undefined;
  if (resume) {
    try {
      state = restoreCheckpoint(resume.ckpt, model, optimizer) as TrainState<DenoiseEpochStats>;
    } catch (err) {
      throw new CliError(`train: cannot resume from ${resume.dir}: ${(err as Error).message}`);
    }
  }
  log(
    `${resume ? `resuming from ${resume.dir} after epoch ${state!.epoch}${state!.batch ? `, step ${state!.batch}` : ''}: ` : ''}` +
      `training ${a.modelName} (${model.numParameters().toLocaleString('en-US')} parameters) to denoise ${trainLoader.size} ${a.datasetName} images ` +
      `(Gaussian noise std ${noise.std}, ${noise.clamp ? 'clamped to [0, 1]' : 'not clamped'}; MSE loss), ${a.epochs} epoch${a.epochs > 1 ? 's' : ''}, ` +
      `batch ${a.batchSize}, ${a.optName} lr ${a.lr}${a.schedule === 'cosine' ? ' (cosine decay per batch)' : a.schedule === 'step' ? ` (×${a.lrGamma} every ${a.lrStep} epochs)` : ''}, backend '${display.backend}'`,
  );
  const meta: ModelMeta = {
    format: 'cnn-cli/1', model: a.modelName as DenoiserName, modelOptions: options, dataset: a.datasetName, classNames: [...trainSet.classNames],
    inputShape: [trainSet.channels, trainSet.height, trainSet.width], normalize: null, backend: display.backend, epochs: a.epochs,
    task: 'denoise', noise, savedAt: new Date().toISOString(),
  };
  const progress = makeProgress({ tty: display.tty, logEvery: display.logEvery, metric: 'psnr' });
  const stop = interruptOnSigint();
  let last: DenoiseResult | null = null;
  let history;
  try {
    history = await fitDenoiser(model, {
      train: trainLoader, epochs: a.epochs, optimizer, scheduler, schedulerInterval: a.schedule === 'cosine' ? 'batch' : 'epoch', noise, seed: a.seed,
      resume: state, signal: stop.signal,
      callbacks: {
        onBatchEnd: (s) => progress.batch({ ...s, metric: s.psnr }),
        onEpochEnd: async (s) => {
          progress.stop();
          last = await evaluateDenoiser(model, testLoader, { noise });
          progress.epoch({ ...s, metric: s.psnr }, `  ${fmtResult(last)}`);
        },
        onCheckpoint: async ({ epoch, stats }) => {
          const r = last as DenoiseResult | null;
          await saveModelDir(a.outDir, model, { ...meta, epochs: epoch, history: stats, ...(r ? { testMse: r.mse, testPsnr: r.psnr, noisyPsnr: r.noisyPsnr } : {}), savedAt: new Date().toISOString() });
        },
        onTrainState: (st) => saveCheckpoint(a, model, optimizer, st),
      },
    });
  } catch (err) {
    progress.stop();
    await explainStop(err, a);
  } finally {
    progress.stop();
    stop.dispose();
  }
  const result = (last as DenoiseResult | null) ?? (await evaluateDenoiser(model, testLoader, { noise }));
  const seconds = (performance.now() - started) / 1000;
  await assertFiniteWeights(model, 'train');
  await saveModelDir(a.outDir, model, {
    ...meta, history, testMse: result.mse, testPsnr: result.psnr, noisyPsnr: result.noisyPsnr, trainSeconds: seconds, savedAt: new Date().toISOString(),
  });
  log(`saved to ${a.outDir} (${seconds.toFixed(1)} s in all); checkpoints in ${a.checkpointDir}`);
  log(`test MSE: ${result.mse.toFixed(5)} on ${result.count} ${a.datasetName} test images (noisy input: ${result.noisyMse.toFixed(5)})`);
  log(`test PSNR: ${result.psnr.toFixed(2)} dB (noisy input: ${result.noisyPsnr.toFixed(2)} dB)`);
  optimizer.dispose();
  model.dispose();
}

export interface ReconstructArgs {
  model: nn.Module;
  source: string;
  test: ImageDataset;
  inputShape: [number, number, number];
  index: number;
  count: number;
  noise: { std: number; clamp: boolean };
  seed: number;
  scale: number;
  out: string;
}

/** Writes the grid: one row per test image, noisy input → reconstruction → original, on one fixed [0, 1] scale. */
export async function reconstruct(a: ReconstructArgs): Promise<void> {
  const shape = [a.test.channels, a.test.height, a.test.width];
  if (shape.join() !== a.inputShape.join()) throw new CliError(`reconstruct: ${a.source} takes [${a.inputShape.join(', ')}] inputs but ${a.test.name} images are [${shape.join(', ')}]`, 2);
  if (a.index + a.count > a.test.count) throw new CliError(`reconstruct: --index ${a.index} with --count ${a.count} goes past the test split's ${a.test.count} images`, 2);
  const loader = new DataLoader(a.test, { batchSize: 256, limit: a.index + a.count });
  const s = await denoiseSamples(a.model, loader, { noise: a.noise, seed: a.seed, start: a.index, count: a.count });
  const per = shape[0] * shape[1] * shape[2];
  const tiles = new Float32Array(3 * a.count * per);
  let sq = 0;
  let noisySq = 0;
  for (let i = 0; i < a.count; i++) {
    const part = (arr: Float32Array): Float32Array => arr.subarray(i * per, (i + 1) * per);
    tiles.set(part(s.noisy), 3 * i * per);
    tiles.set(part(s.denoised), (3 * i + 1) * per);
    tiles.set(part(s.clean), (3 * i + 2) * per);
  }
  for (let k = 0; k < s.clean.length; k++) {
    sq += (s.denoised[k] - s.clean[k]) ** 2;
    noisySq += (s.noisy[k] - s.clean[k]) ** 2;
  }
  const grid = await imagesToGrid({ data: tiles, shape: [3 * a.count, shape[0], shape[1], shape[2]] }, { columns: 3, scale: a.scale, padding: 2 });
  await savePng(a.out, grid);
  const n = s.clean.length;
  log(`wrote ${a.out} (${grid.width}×${grid.height}): ${a.count} ${a.test.name} image${a.count > 1 ? 's' : ''} from index ${a.index}, one per row: noisy input (std ${a.noise.std}${a.noise.clamp ? ', clamped' : ''}) → reconstruction → original`);
  log(`PSNR of these images: ${psnr(sq / n).toFixed(2)} dB (noisy input: ${psnr(noisySq / n).toFixed(2)} dB)`);
}
