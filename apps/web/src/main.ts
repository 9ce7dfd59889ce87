/**
 * The page: owns the app state (the selected backend, the current model, the current input, the ready flag) and
 * implements AppApi for the panels. Every use of the model (load, backend switch, prediction, feature maps) runs
 * through one queue, so a backend switch never disposes a model that a prediction is still reading.
 */
import { F, noGrad, setBackend, tensor, type nn, type Tensor } from '@cnn/core';
import { buildModelFromFile, describeConfig, encodeModelFile, forwardWithFeatureMaps, preprocessDigit, readModelFile, summary, type DigitInput, type ModelConfig, type ModelFileContents, type ModelMetadata, type SummaryResult } from '@cnn/models';
import type { AppApi, BackendName } from './app-api.js';
import { BackendPanel } from './backend-panel.js';
import { isBackendName, startBackend } from './backends.js';
import { byTestId, errorMessage } from './dom.js';
import { DrawPad } from './draw-pad.js';
import { decodeImageFile, type InputImage } from './input.js';
import { InsideView } from './inside-view.js';
import { isOnnxFile, type ModelFile } from './model-file.js';
import { ModelPanel } from './model-panel.js';
import { clearStoredModel, loadStoredModel, storeModel } from './model-store.js';
import { modelFileFromUpload } from './model-upload.js';
import { PredictionView } from './prediction-view.js';
import { mountTrainPanel } from './train/panel.js';

/** Shipped with the app (public/models/), relative to the page so the app works under any base path. */
const PRETRAINED_URL = new URL('models/pretrained.safetensors', document.baseURI).href;
const PRETRAINED_SOURCE = 'pretrained';


interface Current {
  file: ModelFile;
  /** A cnn model file's contents; null for an ONNX graph (which is kept, downloaded and rebuilt from its own bytes). */
  contents: ModelFileContents | null;
  /** Class names, input shape, normalisation (the file's, or for an ONNX graph without cnn metadata, derived). */
  meta: ModelMetadata;
  /** The model panel's words for the architecture. */
  architecture: string;
  model: nn.Module;
  summary: SummaryResult;
  /** Whether this model is the one kept in IndexedDB. */
  stored: boolean;
}

class App implements AppApi {
  private backend: BackendName = 'cpu';
  private current: Current | null = null;
  private input: InputImage | null = null;
  /** Bumped by every new input or model: a prediction or feature-map render of an older version is stale. */
  private version = 0;
  private predicting = false;
  private busyCount = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private lastPredictionMs: number | null = null;
  private lastPre: { input: InputImage; key: string; pre: DigitInput } | null = null;

  private readonly statusLine = byTestId('status');
  private readonly prediction = new PredictionView();
  private readonly inside = new InsideView();
  private readonly backendPanel = new BackendPanel((name) => void this.switchBackend(name));
  private readonly modelPanel = new ModelPanel({
    download: () => this.downloadModel(),
    upload: (files) => this.uploadModel(files),
    resetToPretrained: () => this.resetToPretrained(),
    notify: (m, k) => this.notify(m, k),
  });
  readonly pad = new DrawPad(byTestId<HTMLCanvasElement>('draw-canvas'), {
    onStrokeEnd: (image) => this.setInput({ image, invert: false, kind: 'drawing' }),
    onDrawing: (image) => this.setInput({ image, invert: false, kind: 'drawing' }),
    throttleMs: 250,
  });

  // ---- AppApi ---------------------------------------------------------------------------------------------

  backendName(): BackendName {
    return this.backend;
  }

  currentModel(): ModelFile {
    if (!this.current) throw new Error('currentModel: no model is loaded yet (wait for document.body.dataset.ready)');
    const { bytes, source, format } = this.current.file;
    return { bytes, source, ...(format ? { format } : {}) };
  }

  async setModel(file: ModelFile, opts: { persist?: boolean; source?: string } = {}): Promise<void> {
    const named: ModelFile = { bytes: file.bytes, source: opts.source ?? file.source, ...(isOnnxFile(file) ? { format: 'onnx' as const } : {}) };
    await this.busy(async () => {
      await this.exclusive(async () => {
        const next = await this.build(named, false);
        if (opts.persist) {
          try {
            await storeModel(named);
            next.stored = true;
          } catch (err) {
            this.notify(`The model is loaded but could not be kept in this browser: ${errorMessage(err)}.`, 'error');
          }
        }
        await this.install(next);
      });
      await this.predictLatest();
    });
  }

  async busy<T>(fn: () => Promise<T>): Promise<T> {
    this.busyCount++;
    this.updateReady();
    try {
      return await fn();
    } finally {
      this.busyCount--;
      this.updateReady();
    }
  }

  notify(message: string, kind: 'info' | 'error' = 'info'): void {
    this.statusLine.textContent = message;
    this.statusLine.dataset.kind = kind;
  }

  // ---- start ---------------------------------------------------------------------------------------------

  async start(requested: BackendName): Promise<void> {
    await this.busy(async () => {
      await startBackend('cpu');
      this.renderBackend();
      if (requested !== 'cpu') await this.switchBackend(requested);
      await this.loadInitialModel();
    });
  }

  /** The model kept in IndexedDB when there is a usable one, else the pretrained one. */
  private async loadInitialModel(): Promise<void> {
    let stored = null;
    try {
      stored = await loadStoredModel();
    } catch (err) {
      this.notify(`Browser storage is not available (${errorMessage(err)}); starting with the pretrained model.`);
    }
    if (stored) {
      try {
        await this.exclusive(async () => {
          const next = await this.build(stored, true);
          await this.install(next);
        });
        this.notify(`Restored the model kept in this browser (${stored.source}, saved ${new Date(stored.savedAt).toLocaleString()}).`);
        return;
      } catch (err) {
        this.notify(`The model kept in this browser could not be loaded (${errorMessage(err)}); using the pretrained model.`, 'error');
        await clearStoredModel().catch(() => undefined); // it would fail the same way on every reload
      }
    }
    await this.loadPretrained();
    if (!stored) this.notify('Ready: draw a digit.');
  }

  private async loadPretrained(): Promise<void> {
    const response = await fetch(PRETRAINED_URL);
    if (!response.ok) throw new Error(`could not fetch the pretrained model ${PRETRAINED_URL}: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    await this.exclusive(async () => this.install(await this.build({ bytes, source: PRETRAINED_SOURCE }, false)));
  }

  // ---- model -------------------------------------------------------------------------------------------------

  /** Runs `fn` after everything queued before it (model loads, switches, predictions); never concurrently. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reads a model file (cnn's, or an ONNX graph) and builds its model on the active backend (throws, building
   * nothing, for a bad file). */
  private async build(file: ModelFile, stored: boolean): Promise<Current> {
    let contents: ModelFileContents | null = null;
    let model: nn.Module;
    let meta: ModelMetadata;
    let architecture: string;
    if (isOnnxFile(file)) {
      // Loaded on first use: the ONNX importer and its protobuf schema stay out of the page's first download.
      const { readOnnxModel } = await import('./onnx-file.js');
      ({ model, meta, architecture } = await readOnnxModel(file.bytes, file.source));
    } else {
      contents = readModelFile(file.bytes);
      model = buildModelFromFile(contents);
      meta = contents.meta;
      architecture = describeArchitecture(contents.config);
    }
    try {
      const s = summary(model, [1, ...meta.inputShape]);
      return { file, contents, meta, architecture, model, summary: s, stored };
    } catch (err) {
      model.dispose();
      throw err;
    }
  }

  /** Makes `next` the current model (disposing the old one) and shows it. Call inside `exclusive`. */
  private async install(next: Current): Promise<void> {
    const old = this.current;
    this.current = next;
    this.version++;
    old?.model.dispose();
    this.prediction.setClasses(next.meta.classNames);
    this.renderModel();
    await this.inside.showModel(next.model, next.summary);
  }

  private renderModel(): void {
    const c = this.current;
    if (!c) return;
    const meta = c.meta;
    this.modelPanel.render({
      source: c.file.source,
      architecture: c.architecture,
      parameters: c.model.numParameters(),
      dataset: meta.dataset,
      testAccuracy: meta.testAccuracy,
      trainedWith: meta.trainedWith,
      classes: meta.classNames,
      inputShape: meta.inputShape,
      normalize: meta.normalize ?? null,
      stored: c.stored,
    });
  }

  private async downloadModel(): Promise<void> {
    const c = this.current;
    if (!c) throw new Error('no model is loaded yet');
    // An ONNX graph is downloaded as the file it came from (the page does not change its weights).
    const contents = c.contents;
    const bytes = contents ? await this.busy(() => this.exclusive(() => encodeModelFile(c.model, contents.meta))) : c.file.bytes;
    const name = contents ? `${contents.config.type}-${contents.meta.dataset ?? 'model'}.safetensors` : /\.onnx$/i.test(c.file.source) ? c.file.source : 'model.onnx';
    const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download may start after this handler returns
    this.notify(`Downloaded ${name} (${(bytes.byteLength / 1024).toFixed(0)} KiB).`);
  }

  private async uploadModel(files: File[]): Promise<void> {
    try {
      const file = await this.busy(() => this.exclusive(() => modelFileFromUpload(files)));
      await this.setModel(file, { persist: true });
      this.notify(`Loaded ${file.source}; it is kept in this browser until you reset to the pretrained model.`);
    } catch (err) {
      throw new Error(`Could not load ${files.map((f) => f.name).join(' + ')}: ${errorMessage(err)}. The current model is unchanged.`, { cause: err });
    }
  }

  private async resetToPretrained(): Promise<void> {
    await this.busy(async () => {
      try {
        await clearStoredModel();
      } catch (err) {
        this.notify(`Could not clear browser storage: ${errorMessage(err)}.`, 'error');
      }
      await this.loadPretrained();
      await this.predictLatest();
    });
    this.notify('Back to the pretrained model.');
  }

  // ---- backend ----------------------------------------------------------------------------------------------

  /** Starts `name`, rebuilds the current model on it from its file and predicts again. If the backend cannot start,
   * says why and stays on the previous one. */
  async switchBackend(name: BackendName): Promise<void> {
    if (name === this.backend) return;
    this.backendPanel.setEnabled(false);
    try {
      await this.busy(async () => {
        await this.exclusive(async () => {
          const previous = this.backend;
          try {
            await startBackend(name);
            this.backend = name;
            if (this.current) await this.install(await this.build(this.current.file, this.current.stored));
            this.notify(`Switched to the ${name} backend.`);
          } catch (err) {
            this.backend = previous;
            await setBackend(previous);
            this.notify(`The ${name} backend could not start: ${errorMessage(err)}. Staying on ${previous}.`, 'error');
          }
        });
        await this.predictLatest();
      });
    } finally {
      this.backendPanel.showSelected(this.backend);
      this.backendPanel.setEnabled(true);
      this.renderBackend();
    }
  }

  private renderBackend(): void {
    this.backendPanel.render(this.backend, this.lastPredictionMs);
  }

  // ---- input and prediction -------------------------------------------------------------------------------

  setInput(input: InputImage | null): void {
    this.input = input;
    this.version++;
    void this.predictLatest();
  }

  /** Predicts until the latest input and model have been shown. Concurrent calls join the running loop. */
  private async predictLatest(): Promise<void> {
    if (this.predicting) return;
    this.predicting = true;
    let done = -1;
    try {
      await this.busy(async () => {
        while (done !== this.version) {
          done = this.version;
          await this.exclusive(() => this.predictOnce(done));
        }
      });
    } catch (err) {
      this.notify(`Prediction failed: ${errorMessage(err)}.`, 'error');
    } finally {
      this.predicting = false;
    }
    // An input that arrived while the loop was finishing still gets its prediction.
    if (done !== this.version && this.current) await this.predictLatest();
  }

  private async predictOnce(version: number): Promise<void> {
    const c = this.current;
    if (!c) return;
    const stale = (): boolean => this.version !== version || this.current !== c;
    const meta = c.meta;
    const [channels, height, width] = meta.inputShape;
    const pre = this.input ? this.preprocessed(this.input, height, meta.normalize ?? null) : null;
    if (!pre || pre.empty) {
      this.prediction.clear(this.input ? 'No digit found: draw or upload one' : undefined);
      this.inside.clearMaps();
      return;
    }
    // A model for colour images gets the grey digit in every channel.
    const data = channels === 1 ? pre.data : repeatPlanes(pre.data, channels);
    const x = tensor(data, [1, channels, height, width]);
    // One forward pass serves both the prediction and the feature maps of every layer.
    let maps = new Map<string, Tensor>();
    try {
      const t0 = performance.now();
      const traced = forwardWithFeatureMaps(c.model, x);
      maps = traced.maps;
      const probs = noGrad(() => F.softmax(traced.output, -1));
      traced.output.dispose();
      let values: Float32Array;
      try {
        values = Float32Array.from(await probs.data());
      } finally {
        probs.dispose();
      }
      this.lastPredictionMs = performance.now() - t0;
      if (stale()) return;
      this.prediction.show({ probabilities: values, pixels: pre.pixels, width, height });
      await this.inside.showMaps(maps, stale);
    } finally {
      for (const t of maps.values()) t.dispose();
      x.dispose();
      this.renderBackend(); // after the input is freed, so the memory counters show what stays
    }
  }

  /** The input preprocessed for a model's input size and normalisation; kept, so that a backend switch or a new
   * model re-predicts the same drawing without preprocessing it again. */
  private preprocessed(input: InputImage, size: number, normalize: { mean: number; std: number } | null): DigitInput {
    const key = JSON.stringify([size, normalize]);
    if (this.lastPre?.input !== input || this.lastPre.key !== key) {
      this.lastPre = { input, key, pre: preprocessDigit(input.image, { size, normalize, invert: input.invert }) };
    }
    return this.lastPre.pre;
  }

  private updateReady(): void {
    document.body.dataset.ready = String(this.busyCount === 0 && this.current !== null);
  }

  /** Decodes an uploaded image, shows it and predicts it (auto inversion: dark ink on paper is common). */
  async uploadImage(file: File): Promise<void> {
    await this.busy(async () => {
      const image = await decodeImageFile(file, byTestId<HTMLCanvasElement>('upload-preview'));
      byTestId('upload-name').textContent = file.name;
      byTestId('upload-figure').hidden = false;
      this.pad.clear();
      this.setInput({ image, invert: 'auto', kind: 'upload' });
    });
  }

  clearInput(): void {
    this.pad.clear();
    byTestId('upload-figure').hidden = true;
    this.setInput(null);
  }
}

/** A cnn architecture config in the model panel's words: a models type with its options, or a user's own
 * architecture (nn layers in containers) in a few words, not its whole config. */
function describeArchitecture(config: ModelConfig): string {
  const { type, ...options } = config as unknown as { type: string } & Record<string, unknown>;
  const opts = Object.entries(options).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
  const own = 'layers' in options || 'modules' in options;
  return own ? describeConfig(config) : opts ? `${type} (${opts})` : type;
}

function repeatPlanes(plane: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(plane.length * channels);
  for (let c = 0; c < channels; c++) out.set(plane, c * plane.length);
  return out;
}

// ---- wiring ---------------------------------------------------------------------------------------------------

const app = new App();

byTestId('clear').addEventListener('click', () => app.clearInput());
const imageInput = byTestId<HTMLInputElement>('image-upload');
imageInput.addEventListener('change', () => {
  const file = imageInput.files?.[0];
  imageInput.value = '';
  if (file) app.uploadImage(file).catch((err: unknown) => app.notify(`${errorMessage(err)}.`, 'error'));
});

const trainRoot = document.getElementById('train-panel');
if (!trainRoot) throw new Error('the page has no <section id="train-panel">');
mountTrainPanel(trainRoot, app);

// ?backend=workers|gpu starts on that backend (handy for links and tests); cpu otherwise.
const wanted = new URLSearchParams(location.search).get('backend');
app.start(isBackendName(wanted) ? wanted : 'cpu').catch((err: unknown) => app.notify(`The app could not start: ${errorMessage(err)}.`, 'error'));
