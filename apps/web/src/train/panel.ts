/**
 * "Train in the page": choose a model and a few settings, train on MNIST in a Web Worker (or on the main thread
 * when the selected backend cannot start in one), watch loss and accuracy live, stop at any step, then see the test
 * accuracy and the confusion matrix; the trained model becomes the one the page predicts with.
 *
 * Test hooks: the inputs and buttons carry data-testid; `train-status` carries data-state (idle | running | done |
 * error), data-mode (worker | main-thread), data-backend, data-test-accuracy, data-test-count, data-train-seconds,
 * data-max-block-ms (the longest main-thread block while training and testing ran) and data-max-block-load-ms (the
 * same while MNIST was downloaded and parsed).
 */
import { MNIST_CLASSES } from '@cnn/models';
import type { AppApi } from '../app-api.js';
import { MainThreadMonitor } from './block-monitor.js';
import { TrainCharts } from './charts.js';
import { confusionTable } from './confusion.js';
import { loadMnist, type DownloadProgress } from './mnist-data.js';
import type { FromTrainer, TrainMode, TrainResult, TrainSettings } from './protocol.js';
import { DEFAULT_SETTINGS, MNIST_TEST_COUNT, MNIST_TRAIN_COUNT, MODEL_CHOICES, parseSettings, type RawSettings } from './settings.js';
import { startTrainer, type TrainerRun } from './trainer-client.js';
import './train.css';

type State = 'idle' | 'running' | 'done' | 'error';

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const fmtMB = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const fmtSecs = (s: number): string => (s < 60 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, testid?: string): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  if (testid) e.setAttribute('data-testid', testid);
  return e;
}

function numberField(label: string, testid: string, value: number, attrs: { min: number; max?: number; step?: string }): { row: HTMLLabelElement; input: HTMLInputElement } {
  const input = el('input', { type: 'number', value: String(value), min: String(attrs.min), step: attrs.step ?? '1', required: true }, testid);
  if (attrs.max !== undefined) input.max = String(attrs.max);
  const row = el('label', { className: 'train-field' });
  row.append(el('span', { textContent: label }), input);
  return { row, input };
}

export function mountTrainPanel(root: HTMLElement, app: AppApi): void {
  root.classList.add('train-panel');
  root.replaceChildren();
  root.append(
    el('h2', { textContent: 'Train in the page' }),
    el('p', {
      className: 'train-intro',
      textContent:
        'Trains a fresh network on MNIST handwritten digits with the selected backend, in a Web Worker so the page stays responsive. ' +
        'Adam with a cosine learning-rate decay over all steps. At the end it is tested on held-out images and becomes the model that predicts.',
    }),
  );

  // ---- controls ----
  const form = el('form', { className: 'train-controls' });
  const model = el('select', {}, 'train-model');
  for (const c of MODEL_CHOICES) model.append(el('option', { value: c.name, textContent: c.label, selected: c.name === DEFAULT_SETTINGS.model }));
  const modelRow = el('label', { className: 'train-field' });
  modelRow.append(el('span', { textContent: 'Model' }), model);
  const samples = numberField(`Training images (max ${fmtInt(MNIST_TRAIN_COUNT)})`, 'train-samples', DEFAULT_SETTINGS.samples, { min: 1, max: MNIST_TRAIN_COUNT });
  const epochs = numberField('Epochs', 'train-epochs', DEFAULT_SETTINGS.epochs, { min: 1, max: 100 });
  const batch = numberField('Batch size', 'train-batch-size', DEFAULT_SETTINGS.batchSize, { min: 1, max: 1024 });
  const lr = numberField('Learning rate', 'train-lr', DEFAULT_SETTINGS.lr, { min: 0, step: 'any' });
  const testSamples = numberField(`Test images (max ${fmtInt(MNIST_TEST_COUNT)})`, 'train-test-samples', DEFAULT_SETTINGS.testSamples, { min: 1, max: MNIST_TEST_COUNT });
  const seed = numberField('Seed', 'train-seed', DEFAULT_SETTINGS.seed, { min: 0 });
  const start = el('button', { type: 'submit', textContent: 'Start training' }, 'train-start');
  const stop = el('button', { type: 'button', textContent: 'Stop', disabled: true, title: 'Stops after the current step; the model is still tested and used' }, 'train-stop');
  const buttons = el('div', { className: 'train-buttons' });
  buttons.append(start, stop);
  form.append(modelRow, samples.row, epochs.row, batch.row, lr.row, testSamples.row, seed.row, buttons);

  // ---- status, progress, charts, results ----
  const status = el('div', { className: 'train-status', role: 'status' }, 'train-status');
  status.setAttribute('aria-live', 'polite');
  const progress = el('progress', { max: 1, value: 0 }, 'train-progress');
  const progressText = el('span', { className: 'train-progress-text' }, 'train-progress-text');
  const progressRow = el('div', { className: 'train-progress' });
  progressRow.append(progress, progressText);
  const chartsEl = el('div', { className: 'train-charts' }, 'train-charts');
  const epochLog = el('ol', { className: 'train-epochs' }, 'train-epoch-log');
  const result = el('div', { className: 'train-result' }, 'train-result');
  root.append(form, status, progressRow, chartsEl, epochLog, result);

  const charts = new TrainCharts(chartsEl);
  const monitor = new MainThreadMonitor();
  let run: TrainerRun | null = null;
  let stopBeforeTraining = false;
  let downloadUrl: string | null = null;

  const setState = (state: State, text: string): void => {
    status.dataset.state = state;
    status.textContent = text;
    status.classList.toggle('train-error', state === 'error');
  };
  setState('idle', 'Ready. Press "Start training" (MNIST, about 11 MB, is downloaded once per session).');

  const showDownload = (p: DownloadProgress): void => {
    if (p.phase !== 'downloading') {
      progress.removeAttribute('value'); // indeterminate while gunzipping and parsing
      progressText.textContent = p.phase === 'decompressing' ? 'decompressing MNIST…' : 'reading MNIST…';
      return;
    }
    if (p.total) progress.value = p.loaded / p.total;
    progressText.textContent = `downloading MNIST: ${fmtMB(p.loaded)}${p.total ? ` of ${fmtMB(p.total)}` : ''}`;
  };

  let trainStarted = 0;
  let where = '';
  const onMessage = (m: FromTrainer, s: TrainSettings): void => {
    if (run) status.dataset.maxBlockMs = monitor.maxBlock.toFixed(0);
    if (m.type === 'step') {
      charts.add(m);
      progress.value = m.step / m.totalSteps;
      const elapsed = (performance.now() - trainStarted) / 1000;
      const eta = (elapsed / m.step) * (m.totalSteps - m.step);
      progressText.textContent =
        `step ${fmtInt(m.step)} / ${fmtInt(m.totalSteps)} · epoch ${m.epoch} / ${m.epochs} · loss ${m.runningLoss.toFixed(3)} · ` +
        `accuracy ${(m.runningAccuracy * 100).toFixed(1)} % · ${fmtInt(Math.round(m.imagesPerSec))} images/s · ETA ${fmtSecs(eta)}`;
    } else if (m.type === 'epoch') {
      epochLog.append(
        el('li', {
          textContent: `epoch ${m.epoch} / ${m.epochs}: loss ${m.loss.toFixed(4)}, training accuracy ${(m.accuracy * 100).toFixed(2)} %, ` +
            `${fmtInt(Math.round(m.imagesPerSec))} images/s, ${fmtSecs(m.seconds)}`,
        }),
      );
    } else if (m.type === 'evaluating') {
      charts.draw();
      progress.value = m.total ? m.done / m.total : 0;
      progressText.textContent = `testing on ${fmtInt(m.total)} test images: ${fmtInt(m.done)} done`;
      setState('running', `Testing the ${s.model} model ${where}…`);
    }
  };

  const showResult = (r: TrainResult, s: TrainSettings): void => {
    status.dataset.testAccuracy = r.testAccuracy.toFixed(4);
    status.dataset.testCount = String(r.testCount);
    status.dataset.trainSeconds = r.trainSeconds.toFixed(2);
    const summary = el('p', { className: 'train-summary' }, 'train-summary');
    summary.textContent =
      `Test accuracy ${(r.testAccuracy * 100).toFixed(2)} % on ${fmtInt(r.testCount)} of the ${fmtInt(MNIST_TEST_COUNT)} MNIST test images ` +
      `(test loss ${r.testLoss.toFixed(4)}). ` +
      (r.stopped
        ? `Stopped after ${fmtInt(r.steps)} steps (${fmtInt(r.imagesSeen)} images) of a planned ${s.epochs} epoch${s.epochs > 1 ? 's' : ''} over ${fmtInt(s.samples)} images`
        : `Trained ${fmtInt(r.steps)} steps: ${s.epochs} epoch${s.epochs > 1 ? 's' : ''} over ${fmtInt(s.samples)} images`) +
      ` in ${fmtSecs(r.trainSeconds)}; testing took ${fmtSecs(r.evalSeconds)}.`;
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const link = el('a', { href: downloadUrl, download: `mnist-${s.model}-trained.safetensors`, textContent: `Download the trained model (${fmtMB(r.bytes.length)})` }, 'train-download');
    const linkRow = el('p');
    linkRow.append(link);
    result.replaceChildren(summary, confusionTable(r.confusionMatrix, MNIST_CLASSES), linkRow);
  };

  const readSettings = (): TrainSettings => {
    const raw: RawSettings = {
      model: model.value, samples: samples.input.value, epochs: epochs.input.value, batchSize: batch.input.value, lr: lr.input.value,
      testSamples: testSamples.input.value, seed: seed.input.value,
    };
    return parseSettings(raw);
  };

  const setRunning = (running: boolean): void => {
    start.disabled = running;
    stop.disabled = !running;
    for (const f of [model, samples.input, epochs.input, batch.input, lr.input, testSamples.input, seed.input]) f.disabled = running;
  };

  async function train(): Promise<void> {
    let s: TrainSettings;
    try {
      s = readSettings();
    } catch (err) {
      setState('error', `Cannot start: ${errorText(err)}.`);
      return;
    }
    const backend = app.backendName();
    setRunning(true);
    stopBeforeTraining = false;
    for (const key of ['testAccuracy', 'testCount', 'trainSeconds', 'mode', 'backend', 'maxBlockLoadMs'] as const) delete status.dataset[key];
    result.replaceChildren();
    epochLog.replaceChildren();
    charts.reset();
    monitor.start();
    status.dataset.maxBlockMs = '0';
    try {
      setState('running', 'Loading MNIST…');
      const data = await loadMnist(showDownload);
      if (stopBeforeTraining) {
        setState('idle', 'Stopped before training started.');
        return;
      }
      progress.value = 0;
      progressText.textContent = 'starting the backend…';
      setState('running', `Starting backend '${backend}' in a Web Worker…`);
      // From here on the monitor measures the training itself (download and parsing are measured separately).
      status.dataset.maxBlockLoadMs = monitor.maxBlock.toFixed(0);
      monitor.start();
      trainStarted = performance.now();
      run = startTrainer(backend, s, data, {
        onMessage: (m) => onMessage(m, s),
        onMode: (mode: TrainMode, active, reason) => {
          trainStarted = performance.now();
          status.dataset.mode = mode;
          status.dataset.backend = active;
          where = mode === 'worker' ? `in a Web Worker on backend '${active}'` : `on the main thread on backend '${active}'`;
          setState('running', `Training ${s.model} on ${fmtInt(s.samples)} images ${where}${reason ? ` (${reason})` : ''}…`);
        },
      });
      const r = await run.result;
      monitor.stop();
      status.dataset.maxBlockMs = monitor.maxBlock.toFixed(0);
      charts.draw();
      progress.value = 1;
      progressText.textContent = `${fmtInt(r.steps)} steps, ${fmtInt(r.imagesSeen)} images in ${fmtSecs(r.trainSeconds)}`;
      showResult(r, s);
      try {
        await app.busy(() => app.setModel({ bytes: r.bytes, source: 'trained in the page' }, { persist: true }));
      } catch (err) {
        setState('error', `Trained (test accuracy ${(r.testAccuracy * 100).toFixed(2)} %), but the page could not use the model: ${errorText(err)}`);
        return;
      }
      setState(
        'done',
        `Done ${where}${r.stopped ? ', stopped early' : ''}: test accuracy ${(r.testAccuracy * 100).toFixed(2)} % on ${fmtInt(r.testCount)} test images. ` +
          'The trained model now predicts.',
      );
      app.notify(`Trained ${s.model}: ${(r.testAccuracy * 100).toFixed(2)} % on ${fmtInt(r.testCount)} test images; it now predicts.`);
    } catch (err) {
      setState('error', `Training failed: ${errorText(err)}`);
      app.notify(`Training failed: ${errorText(err)}`, 'error');
    } finally {
      run = null;
      monitor.stop();
      setRunning(false);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!start.disabled) void train();
  });
  stop.addEventListener('click', () => {
    stop.disabled = true;
    stopBeforeTraining = true;
    if (run) {
      run.stop();
      progressText.textContent += ' · stopping after this step…';
    }
  });
}
