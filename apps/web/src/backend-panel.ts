/**
 * The backend switch (`backend-select`) and what the running backend reports (`backend-info`): its info() (threads,
 * SIMD, GL renderer), memory counters and the time of the last prediction.
 */
import type { BackendName } from './app-api.js';
import { backendFacts, isBackendName, workersUnavailableReason } from './backends.js';
import { byTestId, el } from './dom.js';

export class BackendPanel {
  readonly select = byTestId<HTMLSelectElement>('backend-select');
  private readonly info = byTestId('backend-info');
  private readonly note = byTestId('backend-note');

  constructor(onSwitch: (name: BackendName) => void) {
    const why = workersUnavailableReason();
    if (why) {
      const option = this.select.querySelector<HTMLOptionElement>('option[value="workers"]');
      if (option) {
        option.disabled = true;
        option.textContent += ' (needs cross-origin isolation)';
      }
      this.note.textContent = why;
      this.note.hidden = false;
    }
    this.select.addEventListener('change', () => {
      const v = this.select.value;
      if (isBackendName(v)) onSwitch(v);
    });
  }

  /** Shows `name` as selected (after a switch that failed, the previous backend again). */
  showSelected(name: BackendName): void {
    this.select.value = name;
  }

  /** Locks the select while a switch is under way, so switches never overlap. */
  setEnabled(on: boolean): void {
    this.select.disabled = !on;
  }

  render(name: BackendName, lastPredictionMs: number | null): void {
    const facts: [string, string][] = [['backend', name], ...backendFacts(name)];
    facts.push(['last prediction', lastPredictionMs === null ? '–' : `${lastPredictionMs.toFixed(1)} ms`]);
    facts.push(['cross-origin isolated', globalThis.crossOriginIsolated ? 'yes' : 'no']);
    this.info.replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, v)]));
  }
}
