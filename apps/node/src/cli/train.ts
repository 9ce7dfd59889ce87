/**
 * `pnpm cnn train` for classifiers (denoisers: denoise.ts): builds the run from its options, or from a checkpoint with
 * --resume, trains with fit (checkpoint after every epoch, Ctrl-C → checkpoint of the last step), evaluates on the
 * test split after every epoch and saves the model folder (--out).
 */
import { manualSeed } from '@cnn/core';
import { assertFiniteWeights, DataLoader, evaluate, fit, restoreCheckpoint, FASHION_MNIST_STATS, MNIST_STATS, type EpochStats, type EvaluateResult, type NormalizeStats, type TrainState } from '@cnn/models';
import { loadDataset } from '@cnn/models/node';
import { CliError } from './args.js';
import { explainStop, interruptOnSigint, makeOptimizer, saveCheckpoint, type Resume, type TrainDisplay, type TrainRun } from './checkpoints.js';
import { trainDenoiser } from './denoise.js';
import { buildModel, type ModelName } from './models.js';
import { saveModelDir, type ModelMeta } from './model-dir.js';
import { makeProgress } from './progress.js';

const STATS: Record<string, NormalizeStats> = { mnist: MNIST_STATS, 'fashion-mnist': FASHION_MNIST_STATS };

const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Trains (or resumes) the run: a classifier here, a denoiser in denoise.ts. */
export async function runTraining(run: TrainRun, display: TrainDisplay, resume?: Resume): Promise<void> {
  if (run.noise) return trainDenoiser(run, display, resume);
  manualSeed(run.seed);
  const started = performance.now();
  const trainSet = loadDataset(run.datasetName, { split: 'train' });
  const testSet = loadDataset(run.datasetName, { split: 'test' });
  const normalize = STATS[run.datasetName];
  const augment = run.augment ? { randomCrop: { padding: 2 }, horizontalFlip: run.datasetName === 'fashion-mnist' } : null;
  const trainLoader = new DataLoader(trainSet, { batchSize: run.batchSize, shuffle: true, seed: run.seed, normalize, augment, limit: run.limit });
  const testLoader = new DataLoader(testSet, { batchSize: 256, normalize, limit: run.limit });
  const { model, options } = buildModel(run.modelName as ModelName, { numClasses: trainSet.classNames.length, inChannels: trainSet.channels, inputSize: trainSet.height, extra: run.extra });
  const { optimizer, scheduler } = makeOptimizer(run, model.parameters(), trainLoader.numBatches);
  let state: TrainState<EpochStats> | undefined;
  if (resume) {
    try {
      state = restoreCheckpoint(resume.ckpt, model, optimizer) as TrainState<EpochStats>;
    } catch (err) {
      throw new CliError(`train: cannot resume from ${resume.dir}: ${(err as Error).message}`);
    }
  }
  const scheduleText = run.schedule === 'step' ? ` (×${run.lrGamma} every ${run.lrStep} epochs)` : run.schedule === 'cosine' ? ' (cosine decay per batch)' : '';
  log(
    `${resume ? `resuming from ${resume.dir} after epoch ${state!.epoch}${state!.batch ? `, step ${state!.batch}` : ''}: ` : ''}training ${run.modelName} (${model.numParameters().toLocaleString('en-US')} parameters) on ${trainLoader.size} ${run.datasetName} images, ` +
      `${run.epochs} epoch${run.epochs > 1 ? 's' : ''}, batch ${run.batchSize}, ${run.optName} lr ${run.lr}${scheduleText}${augment ? ', augmented' : ''}, backend '${display.backend}'`,
  );
  const meta: ModelMeta = {
    format: 'cnn-cli/1', model: run.modelName as ModelName, modelOptions: options, dataset: run.datasetName, classNames: [...trainSet.classNames],
    inputShape: [trainSet.channels, trainSet.height, trainSet.width], normalize, backend: display.backend, epochs: run.epochs, savedAt: new Date().toISOString(),
  };
  const progress = makeProgress({ tty: display.tty, logEvery: display.logEvery });
  const stop = interruptOnSigint();
  let last: EvaluateResult | null = null;
  let history;
  try {
    history = await fit(model, {
      train: trainLoader, epochs: run.epochs, optimizer, scheduler, schedulerInterval: run.schedule === 'cosine' ? 'batch' : 'epoch', resume: state, signal: stop.signal,
      callbacks: {
        onBatchEnd: (s) => progress.batch(s),
        onEpochEnd: async (s) => {
          progress.stop();
          last = await evaluate(model, testLoader);
          progress.epoch(s, `  test acc ${last.accuracy.toFixed(4)}`);
        },
        onCheckpoint: async ({ epoch, stats }) => {
          await saveModelDir(run.outDir, model, { ...meta, epochs: epoch, testAccuracy: last?.accuracy, history: stats, savedAt: new Date().toISOString() });
        },
        onTrainState: (st) => saveCheckpoint(run, model, optimizer, st),
      },
    });
  } catch (err) {
    progress.stop();
    await explainStop(err, run);
  } finally {
    progress.stop();
    stop.dispose();
  }
  // A run resumed after its last epoch has no evaluation yet.
  const result = (last as EvaluateResult | null) ?? (await evaluate(model, testLoader));
  const seconds = (performance.now() - started) / 1000;
  await assertFiniteWeights(model, 'train');
  await saveModelDir(run.outDir, model, { ...meta, history, testAccuracy: result.accuracy, trainSeconds: seconds, savedAt: new Date().toISOString() });
  const classNames = trainSet.classNames;
  printEvaluation(result, classNames);
  log(`saved to ${run.outDir} (${seconds.toFixed(1)} s in all); checkpoints in ${run.checkpointDir}`);
  log(`test accuracy: ${result.accuracy.toFixed(4)}`);
  optimizer.dispose();
  model.dispose();
}

export function printEvaluation(r: EvaluateResult, classNames: readonly string[]): void {
  const w = Math.max(...classNames.map((c) => c.length), 5);
  log('per-class accuracy:');
  r.perClassAccuracy.forEach((a, i) => log(`  ${String(classNames[i] ?? i).padEnd(w)}  ${Number.isFinite(a) ? a.toFixed(4) : '   -'}`));
  log('confusion matrix (rows: actual, columns: predicted):');
  const cw = Math.max(4, ...r.confusionMatrix.flat().map((v) => String(v).length));
  log(`  ${''.padEnd(w)}  ${r.confusionMatrix.map((_, j) => String(j).padStart(cw)).join(' ')}`);
  r.confusionMatrix.forEach((row, i) => log(`  ${String(classNames[i] ?? i).padEnd(w)}  ${row.map((v) => String(v).padStart(cw)).join(' ')}`));
  log(`test loss: ${r.loss.toFixed(4)}`);
}
