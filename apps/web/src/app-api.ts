/**
 * What the page's parts share. `main.ts` owns the app state (the current model, the selected backend, the ready flag)
 * and hands each panel this interface, so panels never import each other.
 */
import type { ModelFile } from './model-file.js';

export type BackendName = 'cpu' | 'workers' | 'gpu';

export interface AppApi {
  /** The backend the user selected (already started when `ready` is true). */
  backendName(): BackendName;
  /** The current model as a single safetensors file (weights + config + metadata in `__metadata__`). */
  currentModel(): ModelFile;
  /** Replaces the current model (e.g. after training, or an upload): rebuilds it on the selected backend, persists it
   * to IndexedDB when `persist` is set, re-runs the prediction of the current input. Rejects (leaving the old model in
   * place) when the file is not a usable model. */
  setModel(file: ModelFile, opts?: { persist?: boolean; source?: string }): Promise<void>;
  /** Marks the page busy (`document.body.dataset.ready = 'false'`) while `fn` runs, then idle again. Panels wrap
   * every model load, backend switch and prediction in it. */
  busy<T>(fn: () => Promise<T>): Promise<T>;
  /** Shows a message in the page's status line (errors in red). */
  notify(message: string, kind?: 'info' | 'error'): void;
}
