/**
 * The model card: what the current model is (`model-info`: source, architecture, dataset, test accuracy), and saving
 * and loading it (`model-download`, `model-upload`, `model-reset`).
 */
import { byTestId, el, errorMessage } from './dom.js';

export interface ModelDescription {
  source: string;
  architecture: string;
  parameters: number;
  dataset?: string;
  testAccuracy?: number;
  trainedWith?: unknown;
  classes: readonly string[];
  inputShape: readonly number[];
  normalize: { mean: number; std: number } | null;
  /** Whether this model is the one kept in IndexedDB (restored on reload). */
  stored: boolean;
}

export interface ModelPanelActions {
  download(): Promise<void>;
  upload(files: File[]): Promise<void>;
  resetToPretrained(): Promise<void>;
  notify(message: string, kind?: 'info' | 'error'): void;
}

/** A metadata value for display: text as is, numbers and objects compactly. */
function describe(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).map(([k, x]) => `${k}: ${describe(x)}`).join(', ');
  return JSON.stringify(v);
}

export class ModelPanel {
  private readonly info = byTestId('model-info');
  private readonly downloadButton = byTestId<HTMLButtonElement>('model-download');
  private readonly uploadInput = byTestId<HTMLInputElement>('model-upload');
  private readonly resetButton = byTestId<HTMLButtonElement>('model-reset');

  constructor(private readonly actions: ModelPanelActions) {
    this.downloadButton.addEventListener('click', () => void this.run(() => actions.download()));
    this.uploadInput.addEventListener('change', () => {
      const files = [...(this.uploadInput.files ?? [])];
      this.uploadInput.value = ''; // choosing the same file again fires change again
      if (files.length) void this.run(() => actions.upload(files));
    });
    this.resetButton.addEventListener('click', () => void this.run(() => actions.resetToPretrained()));
  }

  /** Runs an action with the buttons locked; its failure becomes a message in the page. */
  private async run(fn: () => Promise<void>): Promise<void> {
    this.setEnabled(false);
    try {
      await fn();
    } catch (err) {
      this.actions.notify(`${errorMessage(err)}.`, 'error');
    } finally {
      this.setEnabled(true);
    }
  }

  setEnabled(on: boolean): void {
    this.downloadButton.disabled = !on;
    this.uploadInput.disabled = !on;
    this.resetButton.disabled = !on;
  }

  render(d: ModelDescription): void {
    const rows: [string, string][] = [
      ['source', d.source + (d.stored ? ' (kept in this browser)' : '')],
      ['architecture', d.architecture],
      ['parameters', d.parameters.toLocaleString('en-US')],
    ];
    if (d.dataset) rows.push(['dataset', d.dataset]);
    rows.push(['test accuracy', d.testAccuracy === undefined ? 'not measured' : `${(d.testAccuracy * 100).toFixed(2)}%`]);
    if (d.trainedWith !== undefined) rows.push(['trained with', describe(d.trainedWith)]);
    rows.push(['input', `${d.inputShape.join('×')}${d.normalize ? `, normalised (mean ${d.normalize.mean}, std ${d.normalize.std})` : ''}`]);
    rows.push(['classes', d.classes.join(', ')]);
    this.info.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, v)]));
  }
}
