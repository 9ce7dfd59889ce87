/**
 * The three backends the page offers. Each package is imported (through the project's list, @cnn/backends, whose
 * static imports Vite splits into chunks) the first time it is selected: gpu.js and the worker pool are large and not
 * needed by a page that stays on cpu. Importing registers it with @cnn/core, and `setBackend` starts it (threads, a
 * WebGL2 context).
 */
import { findBackend, setBackend } from '@cnn/core';
import { importBackend } from '@cnn/backends';
import type { BackendName } from './app-api.js';

export interface BackendChoice {
  name: BackendName;
  label: string;
  load(): Promise<unknown>;
}

export const BACKENDS: readonly BackendChoice[] = [
  { name: 'cpu', label: 'cpu — JavaScript on the main thread', load: () => importBackend('cpu') },
  { name: 'workers', label: 'workers — Web Workers + WebAssembly SIMD', load: () => importBackend('workers') },
  { name: 'gpu', label: 'gpu — WebGL2 (gpu.js)', load: () => importBackend('gpu') },
];

export function isBackendName(v: unknown): v is BackendName {
  return BACKENDS.some((b) => b.name === v);
}

/** Why the workers backend cannot run on this page, or null when it can: its tensors live in SharedArrayBuffer
 * memory, which browsers only give to cross-origin isolated pages. */
export function workersUnavailableReason(): string | null {
  if (globalThis.crossOriginIsolated) return null;
  return 'The workers backend needs SharedArrayBuffer, which browsers only allow on cross-origin isolated pages: ' +
    'serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
    '"Cross-Origin-Embedder-Policy: require-corp" (pnpm web and pnpm web:preview do; see the README for static hosts).';
}

/** Imports the backend's package and makes it the active backend. Rejects with the backend's own reason (no
 * WebGL2, no isolation) and leaves the previously active backend in place. */
export async function startBackend(name: BackendName): Promise<void> {
  const choice = BACKENDS.find((b) => b.name === name);
  if (!choice) throw new Error(`startBackend: unknown backend '${name}' (known: ${BACKENDS.map((b) => b.name).join(', ')})`);
  if (name === 'workers') {
    const why = workersUnavailableReason();
    if (why) throw new Error(why);
  }
  try {
    await choice.load();
  } catch (err) {
    throw new Error(`could not load the ${name} backend's code: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await setBackend(name);
}

/** The started backend's facts (threads, SIMD, GL renderer) and memory counters, as label/value pairs. */
export function backendFacts(name: BackendName): [string, string][] {
  const b = findBackend(name);
  if (!b) return [];
  const facts: [string, string][] = [];
  for (const [k, v] of Object.entries(b.info())) if (k !== 'name') facts.push([k, String(v)]);
  const m = b.memory();
  facts.push(['tensors in memory', `${m.numDataIds} (${(m.numBytes / 1024).toFixed(0)} KiB)`]);
  return facts;
}
