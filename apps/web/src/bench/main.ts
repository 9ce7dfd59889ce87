/**
 * bench.html's entry: the form (engines, workloads, runs, warm-ups), the query string, the run, the results table.
 * A URL with a query string (`bench.html?backends=cpu,workers&workloads=w1-fwd&runs=5`) runs at once; without one
 * the page waits for Run. When a run ends, `window.__benchResults` holds the results (JSON-serialisable) and
 * `document.body.dataset.benchDone` is 'true' — what `pnpm bench --browser` waits for.
 */
import { BROWSER_ENGINES, BROWSER_WORKLOADS, type BrowserBenchResults } from '../../../../tools/bench/src/browser.js';
import { ENGINES } from './engines.js';
import { DEFAULT_OPTIONS, formatOptions, parseOptions, type BenchOptions } from './options.js';
import { runBench } from './run.js';
import { createTable } from './table.js';

function el<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`bench page: missing element ${selector}`);
  return found;
}

const form = el<HTMLFormElement>('#bench-form');
const status = el<HTMLParagraphElement>('.status');
const notes = el<HTMLUListElement>('#engine-notes');
const table = createTable(el<HTMLElement>('#results'));

function checkboxes(field: string, name: string, values: readonly string[], labels: (v: string) => string): void {
  const set = el<HTMLFieldSetElement>(field);
  for (const v of values) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = name;
    box.value = v;
    box.dataset.testid = `${name}-${v}`;
    label.append(box, ` ${labels(v)}`);
    set.append(label);
  }
}

checkboxes('#backends-field', 'backends', BROWSER_ENGINES, (v) => ENGINES[v as keyof typeof ENGINES].label);
checkboxes('#workloads-field', 'workloads', BROWSER_WORKLOADS, (v) => v);

function showOptions(o: BenchOptions): void {
  for (const box of form.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) {
    box.checked = (box.name === 'backends' ? (o.backends as string[]) : (o.workloads as string[])).includes(box.value);
  }
  (form.elements.namedItem('runs') as HTMLInputElement).value = o.runs === null ? '' : String(o.runs);
  (form.elements.namedItem('warmup') as HTMLInputElement).value = o.warmup === null ? '' : String(o.warmup);
}

/** The form as a query string, validated by the same parser as the URL (the engines it names count as asked for). */
function readForm(): BenchOptions {
  const q = new URLSearchParams();
  for (const name of ['backends', 'workloads']) {
    const picked = [...form.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((b) => b.value);
    q.set(name, picked.join(','));
  }
  for (const name of ['runs', 'warmup']) {
    const v = (form.elements.namedItem(name) as HTMLInputElement).value;
    if (v !== '') q.set(name, v);
  }
  // The workers diagnostics have no field: keep the ones the URL had.
  const current = new URLSearchParams(location.search);
  for (const name of ['workersThreads', 'relaxedSimd', 'profile']) {
    const v = current.get(name);
    if (v !== null) q.set(name, v);
  }
  return parseOptions(q.toString());
}

function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  status.textContent = text;
  status.classList.toggle('error', kind === 'error');
}

function finish(results: BrowserBenchResults): void {
  window.__benchResults = results;
  document.body.dataset.benchDone = 'true';
}

async function run(o: BenchOptions): Promise<void> {
  document.body.dataset.benchDone = 'false';
  delete window.__benchResults;
  const button = el<HTMLButtonElement>('button[type=submit]');
  button.disabled = true;
  table.clear();
  notes.replaceChildren();
  const t0 = performance.now();
  try {
    const results = await runBench(o, { onRow: table.add, onProgress: (m) => setStatus(m) });
    for (const [name, note] of Object.entries(results.engines)) {
      const li = document.createElement('li');
      li.textContent = `${name}: ${note}`;
      notes.append(li);
    }
    const bad = results.rows.filter((r) => r.status === 'error' || r.agrees === false).length;
    setStatus(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s${bad ? ` — ${bad} row(s) failed or disagree with cpu` : ''}.`, bad ? 'error' : 'info');
    finish(results);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    setStatus(msg, 'error');
    finish(failed(msg));
  } finally {
    button.disabled = false;
  }
}

function failed(error: string): BrowserBenchResults {
  return {
    date: new Date().toISOString(), userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated, engines: {}, rows: [], error,
  };
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  let o: BenchOptions;
  try {
    o = readForm();
  } catch (err) {
    setStatus(err instanceof Error ? err.message : String(err), 'error');
    return;
  }
  history.replaceState(null, '', `?${formatOptions(o)}`);
  void run(o);
});

if (location.search.length > 1) {
  try {
    const o = parseOptions(location.search);
    showOptions(o);
    void run(o);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    showOptions(DEFAULT_OPTIONS);
    setStatus(msg, 'error');
    finish(failed(msg));
  }
} else {
  showOptions(DEFAULT_OPTIONS);
}
