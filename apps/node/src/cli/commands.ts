/** The CLI commands: train, eval, predict, summary, featuremaps. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { F, noGrad, tensor, tidy, type nn, type Tensor } from '@cnn/core';
import {
  buildModel as buildArchitecture, DataLoader, evaluate, featureMaps, featureMapsToGrid, formatSummary, summary as summarize, imageToInput, preprocessDigit,
  type ImageDataset,
} from '@cnn/models';
import { loadDataset, readPng, savePng } from '@cnn/models/node';
import { choiceArg, CliError, intArg, numArg, type CommandSpec, type Parsed } from './args.js';
import { BACKENDS, useBackend, type BackendChoice } from './backend.js';
import { buildDenoiser, DEFAULT_NOISE, isDenoiser, reconstruct as writeReconstruction } from './denoise.js';
import { buildModel, MODEL_NAMES } from './models.js';
import { loadModelSource, modelSource, MODEL_SOURCE_OPTIONS, type LoadedModel, type ModelSource } from './model-dir.js';
import { exportCmd, printOnnxSummary } from './onnx-commands.js';
import { parseNormalize } from './onnx-model.js';
import { readResume, type TrainRun } from './checkpoints.js';
import { printEvaluation, runTraining } from './train.js';

export const DATASETS = ['mnist', 'fashion-mnist'] as const;
type DatasetName = (typeof DATASETS)[number];

const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export interface Command {
  spec: CommandSpec;
  run(args: Parsed): Promise<void>;
}

/** The help text of --lr's default, which depends on --optimizer; as a value it means "use the optimizer's default". */
const LR_DEFAULT_TEXT = '0.002 (adam), 0.01 (sgd)';

const backendOpt = { type: 'string', arg: '<name>', help: `compute backend: ${BACKENDS.join(' | ')}`, default: 'cpu' } as const;

/** --normalize of predict and eval: for an .onnx model, how its input pixels are scaled. */
const NORMALIZE_OPTION = {
  type: 'string', arg: '<how>',
  help: "with an .onnx model: none (v/255) | mnist | fashion-mnist | <mean>,<std> (default: what the file's cnn.meta says, else none)",
} as const;

function loadSplit(name: DatasetName, split: 'train' | 'test'): ImageDataset {
  return loadDataset(name, { split });
}

const train: Command = {
  spec: {
    name: 'train',
    summary: 'Train a CNN on MNIST or Fashion-MNIST, save it to --out, and report the test accuracy.',
    usage: 'train [--model lenet5] [--dataset mnist] [--epochs 1] [--batch-size 16] [--backend cpu] [--out runs/<model>-<dataset>] [options] | train --resume <dir>',
    options: {
      model: { type: 'string', arg: '<name>', help: `architecture: ${MODEL_NAMES.join(' | ')}`, default: 'lenet5' },
      dataset: { type: 'string', arg: '<name>', help: `dataset: ${DATASETS.join(' | ')}`, default: 'mnist' },
      epochs: { type: 'string', arg: '<n>', help: 'training epochs', default: '1' },
      'batch-size': { type: 'string', arg: '<n>', help: 'images per batch', default: '16' },
      backend: backendOpt,
      out: { type: 'string', arg: '<dir>', help: 'output folder (model.safetensors + cnn.json), saved after every epoch', default: 'runs/<model>-<dataset>' },
      optimizer: { type: 'string', arg: '<name>', help: 'adam | sgd (sgd uses momentum 0.9)', default: 'adam' },
      lr: { type: 'string', arg: '<x>', help: 'learning rate', default: LR_DEFAULT_TEXT },
      'lr-schedule': { type: 'string', arg: '<name>', help: 'cosine (decay to 0 over all training steps, per batch) | step (StepLR, with --lr-step) | none', default: 'cosine (step when --lr-step is given)' },
      'lr-step': { type: 'string', arg: '<n>', help: 'StepLR: multiply the learning rate by --lr-gamma every n epochs' },
      'lr-gamma': { type: 'string', arg: '<x>', help: 'StepLR factor', default: '0.1' },
      'model-options': { type: 'string', arg: '<json>', help: 'extra architecture options, e.g. \'{"blocks":[[16],[32]],"classifier":[128]}\' for a small VGG' },
      augment: { type: 'boolean', help: 'random crop (padding 2); plus horizontal flip on fashion-mnist' },
      limit: { type: 'string', arg: '<n>', help: 'use only the first n images of each split (quick runs, tests)' },
      seed: { type: 'string', arg: '<n>', help: 'seed for initialisation, shuffling and dropout', default: '1' },
      'log-every': { type: 'string', arg: '<n>', help: 'without a TTY, also print a line every n batches (0: epoch lines only)', default: '0' },
      'no-progress': { type: 'boolean', help: 'no progress bar even on a TTY' },
      noise: { type: 'string', arg: '<x>', help: 'autoencoder | unet: std of the Gaussian noise added to the input images (pixels in [0, 1]); the target is the clean image', default: String(DEFAULT_NOISE) },
      'no-clamp': { type: 'boolean', help: 'autoencoder | unet: do not clamp the noisy images to [0, 1]' },
      'checkpoint-dir': { type: 'string', arg: '<dir>', help: 'where the training state is checkpointed after every epoch and on Ctrl-C (crash-safe; the 2 newest kept)', default: '<out>/checkpoints' },
      resume: { type: 'string', arg: '<dir>', help: 'continue an interrupted run from its checkpoint folder (or its --out folder): same options, bit-identical result' },
    },
  },
  async run({ values: v }) {
    const c = 'train';
    const tty = Boolean(process.stdout.isTTY) && !v['no-progress'];
    const logEvery = intArg(c, 'log-every', v['log-every'], 0)!;
    const backendName = choiceArg(c, 'backend', v.backend, BACKENDS);
    if (v.resume !== undefined) {
      // The run's options come from the checkpoint: any other training option would make it a different run.
      const given = Object.keys(train.spec.options).filter((k) => !RESUME_OPTIONS.has(k) && v[k] !== undefined && v[k] !== train.spec.options[k].default);
      if (given.length) throw new CliError(`${c}: --resume continues the run as it was started; drop ${given.map((k) => `--${k}`).join(', ')} (only --backend, --log-every and --no-progress may change)`, 2);
      const { dir, ckpt, run } = await readResume(String(v.resume));
      const backend = await useBackend(backendName as BackendChoice);
      await runTraining(run, { backend, logEvery, tty }, { dir, ckpt });
      return;
    }
    const modelName = choiceArg(c, 'model', v.model, MODEL_NAMES);
    const datasetName = choiceArg(c, 'dataset', v.dataset, DATASETS);
    const epochs = intArg(c, 'epochs', v.epochs, 1)!;
    const batchSize = intArg(c, 'batch-size', v['batch-size'], 1)!;
    const limit = intArg(c, 'limit', v.limit, 1);
    const seed = intArg(c, 'seed', v.seed, 0)!;
    const optName = choiceArg(c, 'optimizer', v.optimizer, ['adam', 'sgd'] as const);
    const lr = v.lr === undefined || v.lr === LR_DEFAULT_TEXT ? (optName === 'adam' ? 2e-3 : 0.01) : numArg(c, 'lr', v.lr)!;
    const lrStep = intArg(c, 'lr-step', v['lr-step'], 1);
    const lrGamma = numArg(c, 'lr-gamma', v['lr-gamma'])!;
    const noiseStd = numArg(c, 'noise', v.noise)!;
    const extra = jsonArg(c, 'model-options', v['model-options']);
    const outDir = v.out === undefined || v.out === 'runs/<model>-<dataset>' ? join('runs', `${modelName}-${datasetName}`) : String(v.out);
    const checkpointDir = v['checkpoint-dir'] === undefined || v['checkpoint-dir'] === '<out>/checkpoints' ? join(outDir, 'checkpoints') : String(v['checkpoint-dir']);
    if (!isDenoiser(modelName) && (v.noise !== String(DEFAULT_NOISE) || v['no-clamp'])) {
      throw new CliError(`${c}: --noise and --no-clamp are for the denoising models (autoencoder, unet), not ${modelName}`, 2);
    }
    const schedule = choiceArg(c, 'lr-schedule', v['lr-schedule'] === undefined || String(v['lr-schedule']).includes('(') ? (lrStep ? 'step' : 'cosine') : v['lr-schedule'], ['cosine', 'step', 'none'] as const);
    if (schedule === 'step' && !lrStep) throw new CliError(`${c}: --lr-schedule step needs --lr-step <n>`, 2);
    const backend = await useBackend(backendName as BackendChoice);
    const run: TrainRun = {
      modelName, datasetName, epochs, batchSize, limit, seed, optName, lr, schedule, lrStep, lrGamma, extra, augment: Boolean(v.augment),
      noise: isDenoiser(modelName) ? { std: noiseStd, clamp: !v['no-clamp'] } : null, outDir, checkpointDir,
    };
    await runTraining(run, { backend, logEvery, tty });
  },
};

/** Options that may be given with --resume (how the run shows itself, not what it computes). */
const RESUME_OPTIONS = new Set(['resume', 'backend', 'log-every', 'no-progress']);

/** The dataset to evaluate on: --dataset, else the one the model records; single files need not record one. */
function datasetFor(c: string, given: unknown, m: LoadedModel): DatasetName {
  const name = given ?? m.dataset;
  if (name === undefined) throw new CliError(`${c}: ${m.source} does not say which dataset it was trained on; pass --dataset <${DATASETS.join('|')}>`, 2);
  return choiceArg(c, 'dataset', name, DATASETS);
}

const evalCmd: Command = {
  spec: {
    name: 'eval',
    summary: 'Evaluate a trained model on a test split: accuracy, loss, per-class accuracy, confusion matrix.',
    usage: 'eval (--model-dir <dir> | --model <file.safetensors|file.onnx>) [--dataset <name>] [--backend cpu] [--limit n]',
    options: {
      ...MODEL_SOURCE_OPTIONS,
      normalize: NORMALIZE_OPTION,
      dataset: { type: 'string', arg: '<name>', help: `${DATASETS.join(' | ')} (default: the one it was trained on)` },
      backend: backendOpt,
      limit: { type: 'string', arg: '<n>', help: 'evaluate only the first n test images' },
      'batch-size': { type: 'string', arg: '<n>', help: 'images per batch', default: '256' },
    },
  },
  async run({ values: v }) {
    const c = 'eval';
    const limit = intArg(c, 'limit', v.limit, 1);
    const batchSize = intArg(c, 'batch-size', v['batch-size'], 1)!;
    const src = modelSource(c, v); // fail on a bad folder or file before loading anything
    const normalize = onnxNormalize(c, src, v.normalize);
    const backendName = choiceArg(c, 'backend', v.backend, BACKENDS);
    if (v.dataset !== undefined) choiceArg(c, 'dataset', v.dataset, DATASETS);
    await useBackend(backendName as BackendChoice);
    const m = await loadModelSource(src, normalize);
    try {
      if (isDenoiser(m.name)) throw new CliError(`${c}: ${m.source} is a denoising ${m.name}, not a classifier; its test MSE and PSNR come from train, and pnpm cnn reconstruct --model-dir <dir> --out grid.png shows it at work`, 2);
      const datasetName = datasetFor(c, v.dataset, m);
      const testSet = loadSplit(datasetName, 'test');
      noteForeignOnnx(m);
      // A graph exported for a fixed batch size (cnn export writes N = 1) runs only on batches of that size.
      const fixed = m.onnx?.batch ?? null;
      if (fixed !== null && fixed !== batchSize) log(`${m.source} is exported for batches of ${fixed}: evaluating ${fixed} image${fixed > 1 ? 's' : ''} at a time`);
      const loader = new DataLoader(testSet, { batchSize: fixed ?? batchSize, normalize: m.normalize, limit });
      if (fixed !== null && loader.size % fixed !== 0) throw new CliError(`${c}: ${m.source} takes batches of exactly ${fixed}; choose a --limit that is a multiple of ${fixed}`, 2);
      const t0 = performance.now();
      const r = await evaluate(m.model, loader);
      log(`${m.name} from ${m.source} on ${loader.size} ${datasetName} test images (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      printEvaluation(r, testSet.classNames);
      log(`test accuracy: ${r.accuracy.toFixed(4)}`);
    } finally {
      m.model.dispose();
    }
  },
};

/** --normalize, which only an .onnx model takes (a cnn model file or folder records its own normalisation). */
function onnxNormalize(c: string, src: ModelSource, v: unknown): { mean: number; std: number } | null | undefined {
  const n = parseNormalize(c, v);
  if (n !== undefined && !('onnx' in src)) throw new CliError(`${c}: --normalize goes with an .onnx model; a cnn model records its own normalisation`, 2);
  return n;
}

/** Says how an ONNX file without cnn's metadata is read (class names, pixel scaling). */
function noteForeignOnnx(m: LoadedModel): void {
  if (!m.onnx?.foreign) return;
  const n = m.normalize ? `(v/255 − ${m.normalize.mean})/${m.normalize.std}` : 'v/255 (--normalize to change)';
  log(`${m.source}: no cnn metadata in the file: classes are output indices 0…${m.classNames.length - 1}, pixels fed as ${n}`);
}

export const PREPROCESS = ['mnist', 'resize'] as const;

const predict: Command = {
  spec: {
    name: 'predict',
    summary:
      'Classify a PNG image with a trained model. --preprocess mnist (default) prepares it as MNIST was made: ink found and ' +
      'cropped (dark-on-light inverted, paper background removed), scaled into a 20×20 box and centred by mass in 28×28; ' +
      '--preprocess resize just resizes the whole image.',
    usage: 'predict (--model-dir <dir> | --model <file.safetensors|file.onnx>) [--preprocess mnist|resize] [--normalize <how>] <image.png>',
    options: {
      ...MODEL_SOURCE_OPTIONS,
      normalize: NORMALIZE_OPTION,
      backend: backendOpt,
      preprocess: { type: 'string', arg: '<mnist|resize>', help: 'mnist: crop the ink, 20×20 box, centre by mass (photos, drawings); resize: the whole image to the model input', default: 'mnist' },
      invert: { type: 'string', arg: '<auto|yes|no>', help: 'invert grey levels (models expect light strokes on black)', default: 'auto' },
    },
    positionals: { min: 1, max: 1 },
  },
  async run({ values: v, positionals }) {
    const c = 'predict';
    const invert = choiceArg(c, 'invert mode', v.invert, ['auto', 'yes', 'no'] as const);
    const mode = choiceArg(c, 'preprocess mode', v.preprocess, PREPROCESS);
    const src = modelSource(c, v);
    const normalize = onnxNormalize(c, src, v.normalize);
    await useBackend(choiceArg(c, 'backend', v.backend, BACKENDS) as BackendChoice);
    const img = await readPng(positionals[0]);
    const m = await loadModelSource(src, normalize);
    let p: number[];
    try {
      noteForeignOnnx(m);
      if (isDenoiser(m.name)) throw new CliError(`${c}: ${m.source} is a denoising ${m.name}, not a classifier; use pnpm cnn reconstruct`, 2);
      const [channels, height, width] = m.inputShape;
      if (channels !== 1 || (mode === 'mnist' && height !== width)) {
        throw new CliError(`${c}: ${m.source} takes ${channels}×${height}×${width} inputs; predict handles grey (1-channel) models${mode === 'mnist' ? ' with square inputs' : ''}`);
      }
      const invertOpt = invert === 'auto' ? 'auto' : invert === 'yes';
      let input: { data: Float32Array; shape: [number, number, number, number] };
      if (mode === 'mnist') {
        const d = preprocessDigit(img, { size: height, box: Math.max(1, Math.round((20 / 28) * height)), normalize: m.normalize, invert: invertOpt });
        if (d.empty || !d.bbox) throw new CliError(`${c}: no ink found in ${positionals[0]} (${img.width}×${img.height}); is it blank? (--preprocess resize classifies the whole image as it is)`);
        const b = d.bbox;
        log(`${positionals[0]}: ${img.width}×${img.height}, ink at x ${b.x}, y ${b.y}, ${b.width}×${b.height}${d.inverted ? ', dark on light → inverted' : ''}; MNIST-style ${width}×${height} (longest side ${Math.round((20 / 28) * height)}, centred by mass)`);
        input = d;
      } else {
        const r = imageToInput(img, { size: height, normalize: m.normalize, invert: invertOpt });
        log(`${positionals[0]}: ${img.width}×${img.height}${img.width !== width || img.height !== height ? ` resized to ${width}×${height}` : ''}${r.inverted ? ', inverted' : ''}`);
        input = r;
      }
      const probs = noGrad(() => tidy(() => F.softmax(m.model.forward(tensor(input.data, input.shape)), 1)));
      p = Array.from(await probs.data(), Number);
      probs.dispose();
      if (p.length !== m.classNames.length) throw new CliError(`${c}: ${m.source} gives ${p.length} outputs but names ${m.classNames.length} classes`);
    } finally {
      m.model.dispose();
    }
    const order = p.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
    const best = order[0][1];
    const w = Math.max(...m.classNames.map((n) => n.length));
    for (const [x, i] of order) log(`  ${m.classNames[i].padEnd(w)}  ${x.toFixed(4)}  ${'#'.repeat(Math.round(x * 40))}`);
    log(`prediction: ${m.classNames[best]} (${(p[best] * 100).toFixed(1)}%)`);
  },
};

/** N,C,H,W[…]: at least two comma-separated integers ≥ 1 (decimal digits only, as intArg takes them). */
export function parseShape(c: string, s: string): number[] {
  const parts = s.split(',').map((d) => d.trim());
  const dims = parts.map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
  if (dims.length < 2 || !dims.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new CliError(`${c}: --input must be a comma-separated shape of integers ≥ 1 like 1,1,28,28, got '${s}'`, 2);
  }
  return dims;
}

/** Builds the architecture a config.json describes (a models type, or a user's own nn layers), fresh weights. */
function buildFromConfigFile(c: string, path: string): nn.Module {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`${c}: ${path}: not a readable JSON config: ${(err as Error).message}`);
  }
  try {
    return buildArchitecture(config);
  } catch (err) {
    throw new CliError(`${c}: ${path}: ${(err as Error).message}`);
  }
}

const summary: Command = {
  spec: {
    name: 'summary',
    summary: 'Print a layer-by-layer summary of an architecture (output shapes, parameters, MACs, receptive fields).',
    usage: 'summary (--model <name> | --model-dir <dir> | --config <config.json> | --onnx <file.onnx>) [--input 1,1,28,28] [--classes 10]',
    options: {
      model: { type: 'string', arg: '<name>', help: `architecture: ${MODEL_NAMES.join(' | ')} (default lenet5)` },
      'model-dir': { type: 'string', arg: '<dir>', help: 'a saved model folder (train --out, or saveModel: a model of your own too)' },
      config: { type: 'string', arg: '<config.json>', help: "an architecture config: a models type, or your own nn layers ({ \"type\": \"Sequential\", \"layers\": [...] })" },
      onnx: { type: 'string', arg: '<file.onnx>', help: "an ONNX model: its nodes with output shapes and parameters (input: the graph's own)" },
      input: { type: 'string', arg: '<shape>', help: "input shape N,C,H,W (default 1,1,28,28; a saved model's own input shape)" },
      classes: { type: 'string', arg: '<n>', help: 'number of classes', default: '10' },
      'model-options': { type: 'string', arg: '<json>', help: 'extra architecture options (JSON object)' },
      backend: backendOpt,
    },
  },
  async run({ values: v }) {
    const c = 'summary';
    if ([v.model, v['model-dir'], v.config, v.onnx].filter((x) => x !== undefined).length > 1) throw new CliError(`${c}: give one of --model <name>, --model-dir <dir>, --config <config.json> and --onnx <file.onnx>`, 2);
    if (v.onnx !== undefined) {
      const input = v.input !== undefined ? parseShape(c, String(v.input)) : undefined;
      await useBackend(choiceArg(c, 'backend', v.backend, BACKENDS) as BackendChoice);
      await printOnnxSummary(String(v.onnx), input);
      return;
    }
    const name = choiceArg(c, 'model', v.model ?? 'lenet5', MODEL_NAMES);
    const src = v['model-dir'] !== undefined ? modelSource(c, v) : null;
    const classes = intArg(c, 'classes', v.classes, 1)!;
    await useBackend(choiceArg(c, 'backend', v.backend, BACKENDS) as BackendChoice);
    let model: nn.Module;
    let shape: number[];
    if (src) {
      const m = await loadModelSource(src);
      model = m.model;
      shape = v.input !== undefined ? parseShape(c, String(v.input)) : [1, ...m.inputShape];
    } else if (v.config !== undefined) {
      shape = parseShape(c, String(v.input ?? '1,1,28,28'));
      model = buildFromConfigFile(c, String(v.config));
    } else {
      shape = parseShape(c, String(v.input ?? '1,1,28,28'));
      const extra = jsonArg(c, 'model-options', v['model-options']);
      ({ model } = isDenoiser(name) ? buildDenoiser(name, shape[1], extra) : buildModel(name, { numClasses: classes, inChannels: shape[1], inputSize: shape[2], extra }));
    }
    try {
      log(formatSummary(summarize(model, shape)));
    } catch (err) {
      throw new CliError(`summary: ${(err as Error).message}`);
    }
    model.dispose();
  },
};

const featuremaps: Command = {
  spec: {
    name: 'featuremaps',
    summary: "Render a trained model's feature maps for one test image as a PNG grid.",
    usage: 'featuremaps (--model-dir <dir> | --model <file.safetensors>) [--index 0] [--out maps.png] [--layer <name>]',
    options: {
      ...MODEL_SOURCE_OPTIONS,
      dataset: { type: 'string', arg: '<name>', help: `test split to take the image from: ${DATASETS.join(' | ')} (default: the one it was trained on)` },
      index: { type: 'string', arg: '<i>', help: 'test image index', default: '0' },
      out: { type: 'string', arg: '<file.png>', help: 'output PNG', default: 'maps.png' },
      layer: { type: 'string', arg: '<name>', help: 'layer (dotted name) whose output to show (default: the first conv layer)' },
      backend: backendOpt,
    },
  },
  async run({ values: v }) {
    const c = 'featuremaps';
    const index = intArg(c, 'index', v.index, 0)!;
    const src = modelSource(c, v);
    if ('onnx' in src) throw new CliError(`${c}: ${src.onnx} is an ONNX graph, which has no cnn layers to show; use the model folder or .safetensors file it was exported from`, 2);
    if (v.dataset !== undefined) choiceArg(c, 'dataset', v.dataset, DATASETS);
    await useBackend(choiceArg(c, 'backend', v.backend, BACKENDS) as BackendChoice);
    const m = await loadModelSource(src);
    const { model, inputShape, normalize, classNames } = m;
    let test: ImageDataset;
    try {
      test = loadSplit(datasetFor(c, v.dataset, m), 'test');
      if (index >= test.count) throw new CliError(`featuremaps: --index ${index} is out of range (the test split has ${test.count} images)`, 2);
      const shape = [test.channels, test.height, test.width];
      if (shape.join() !== inputShape.join()) throw new CliError(`featuremaps: ${m.source} takes [${inputShape.join(', ')}] inputs but ${test.name} images are [${shape.join(', ')}]`, 2);
    } catch (err) {
      model.dispose();
      throw err;
    }
    const per = inputShape.reduce((a, b) => a * b, 1);
    const one: ImageDataset = { ...test, images: test.images.subarray(index * per, (index + 1) * per), labels: test.labels.subarray(index, index + 1), count: 1 };
    const batch = new DataLoader(one, { normalize })[Symbol.iterator]().next().value!;
    let maps: Map<string, Tensor> | null = null;
    try {
      maps = featureMaps(model, batch.x);
      const spatial = [...maps.entries()].filter(([, t]) => t.rank === 4);
      const wanted = v.layer ? String(v.layer) : spatial.find(([n]) => /conv|features\.0$|^0$/.test(n))?.[0] ?? spatial[0]?.[0];
      const chosen = spatial.find(([n]) => n === wanted);
      if (!chosen) throw new CliError(`featuremaps: no layer '${String(wanted)}' with spatial output; layers: ${spatial.map(([n]) => n).join(', ')}`, 2);
      const grid = await featureMapsToGrid(chosen[1], { scale: 4, padding: 2 });
      await savePng(String(v.out), grid);
      log(`wrote ${String(v.out)}: ${chosen[1].shape[1]} feature maps of layer ${chosen[0]} [${chosen[1].shape.join(', ')}] for test image ${index} (label ${classNames[test.labels[index]]})`);
      log(`layers: ${spatial.map(([n, t]) => `${n} [${t.shape.slice(1).join('×')}]`).join(', ')}`);
    } finally {
      for (const t of maps?.values() ?? []) t.dispose();
      batch.x.dispose();
      batch.y.dispose();
      model.dispose();
    }
  },
};

const reconstruct: Command = {
  spec: {
    name: 'reconstruct',
    summary: 'Denoise test images with a trained autoencoder / U-Net and write a PNG grid: one row per image, noisy input → reconstruction → original.',
    usage: 'reconstruct (--model-dir <dir> | --model <file.safetensors>) [--out grid.png] [--count 8] [--index 0] [--noise <std>]',
    options: {
      ...MODEL_SOURCE_OPTIONS,
      out: { type: 'string', arg: '<file.png>', help: 'output PNG', default: 'grid.png' },
      count: { type: 'string', arg: '<n>', help: 'number of test images (rows)', default: '8' },
      index: { type: 'string', arg: '<i>', help: 'first test image', default: '0' },
      noise: { type: 'string', arg: '<x>', help: 'noise std (default: the one the model was trained with, else 0.5)' },
      'no-clamp': { type: 'boolean', help: 'do not clamp the noisy images to [0, 1] (default: as trained)' },
      seed: { type: 'string', arg: '<n>', help: 'seed of the noise', default: '1' },
      scale: { type: 'string', arg: '<n>', help: 'integer upscaling of every pixel', default: '3' },
      dataset: { type: 'string', arg: '<name>', help: `test split to take the images from: ${DATASETS.join(' | ')} (default: the one it was trained on)` },
      backend: backendOpt,
    },
  },
  async run({ values: v }) {
    const c = 'reconstruct';
    const count = intArg(c, 'count', v.count, 1)!;
    const index = intArg(c, 'index', v.index, 0)!;
    const noiseStd = numArg(c, 'noise', v.noise);
    const seed = intArg(c, 'seed', v.seed, 0)!;
    const scale = intArg(c, 'scale', v.scale, 1)!;
    if (count > 1000) throw new CliError(`${c}: --count must be at most 1000 (one row per image), got '${count}'`, 2);
    if (scale > 32) throw new CliError(`${c}: --scale must be at most 32, got '${scale}'`, 2);
    const src = modelSource(c, v);
    if (v.dataset !== undefined) choiceArg(c, 'dataset', v.dataset, DATASETS);
    await useBackend(choiceArg(c, 'backend', v.backend, BACKENDS) as BackendChoice);
    const m = await loadModelSource(src);
    try {
      if (!isDenoiser(m.name)) throw new CliError(`${c}: ${m.source} is a ${m.name} classifier; reconstruct needs a denoising model (train one with pnpm cnn train --model autoencoder)`, 2);
      const test = loadSplit(datasetFor(c, v.dataset, m), 'test');
      await writeReconstruction({
        model: m.model, source: m.source, test, inputShape: m.inputShape, index, count, seed, scale, out: String(v.out),
        noise: { std: noiseStd ?? m.noise?.std ?? DEFAULT_NOISE, clamp: v['no-clamp'] ? false : (m.noise?.clamp ?? true) },
      });
    } finally {
      m.model.dispose();
    }
  },
};

function jsonArg(c: string, name: string, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  try {
    const o = JSON.parse(String(v)) as unknown;
    if (o && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new CliError(`${c}: --${name} must be a JSON object, got '${String(v)}'`, 2);
}

export const COMMANDS: Record<string, Command> = { train, eval: evalCmd, predict, summary, featuremaps, reconstruct, export: exportCmd };
