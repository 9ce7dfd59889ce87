/**
 * The backend registry. A backend package registers a factory when imported (`import '@cnn/backend-cpu'`); core never
 * names a backend. The registry lives on globalThis so that an ESM and a CJS copy of core (or two bundles) share it.
 */
import { CnnError } from '../errors.js';
import type { Backend } from './contract.js';

export type BackendFactory = () => Backend | Promise<Backend>;

interface Registration {
  factory: BackendFactory;
  priority: number;
  instance: Backend | null;
  pending: Promise<Backend> | null;
}

interface RegistryState {
  registrations: Map<string, Registration>;
  activeName: string | null;
  active: Backend | null;
}

const KEY = Symbol.for('@cnn/core/registry');
type GlobalWithRegistry = typeof globalThis & { [KEY]?: RegistryState };

function state(): RegistryState {
  const g = globalThis as GlobalWithRegistry;
  g[KEY] ??= { registrations: new Map(), activeName: null, active: null };
  return g[KEY];
}

/** Registers a backend under `name`. The highest priority registered backend is the default. */
export function registerBackend(name: string, factory: BackendFactory, priority = 1): void {
  const s = state();
  const existing = s.registrations.get(name);
  if (existing) {
    // The same package loaded twice (ESM + CJS): keep the first registration and its instance.
    return;
  }
  s.registrations.set(name, { factory, priority, instance: null, pending: null });
}

export function listBackends(): string[] {
  return [...state().registrations.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([n]) => n);
}

async function instantiate(name: string): Promise<Backend> {
  const reg = state().registrations.get(name);
  if (!reg) {
    const known = listBackends();
    throw new CnnError(
      `setBackend: no backend named '${name}' is registered (registered: ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'none'}). ` +
        `Import its package first, e.g. import '@cnn/backend-${name}'.`,
    );
  }
  if (reg.instance) return reg.instance;
  reg.pending ??= Promise.resolve()
    .then(reg.factory)
    .then(
      (b) => {
        reg.instance = b;
        return b;
      },
      (err: unknown) => {
        reg.pending = null;
        throw err;
      },
    );
  return reg.pending;
}

/** Activates a backend, initialising it on first use. Rejects with the backend's own reason if it cannot start. */
export async function setBackend(name: string): Promise<Backend> {
  const backend = await instantiate(name);
  const s = state();
  s.activeName = name;
  s.active = backend;
  return backend;
}

/** The active backend. If none was set, the highest-priority registered backend that starts synchronously. */
export function getBackend(): Backend {
  const s = state();
  if (s.active) return s.active;
  for (const name of listBackends()) {
    const reg = s.registrations.get(name)!;
    if (!reg.instance) {
      if (reg.pending) continue; // an asynchronous backend still starting: needs `await setBackend(name)`
      const made = reg.factory();
      if (made instanceof Promise) {
        reg.pending = made.then((b) => (reg.instance = b));
        continue;
      }
      reg.instance = made;
    }
    s.activeName = name;
    s.active = reg.instance;
    return reg.instance;
  }
  throw new CnnError(
    "getBackend: no backend is available. Import a backend package (import '@cnn/backend-cpu') and, for asynchronous backends, `await setBackend(name)`.",
  );
}

export function getBackendName(): string {
  getBackend();
  return state().activeName!;
}

/** Looks up an initialised backend by name without activating it. */
export function findBackend(name: string): Backend | null {
  return state().registrations.get(name)?.instance ?? null;
}

/** Disposes a backend's resources (threads, GL contexts); the next setBackend(name) makes a fresh one. */
export async function disposeBackend(name: string): Promise<void> {
  const s = state();
  const reg = s.registrations.get(name);
  if (!reg?.instance) return;
  const b = reg.instance;
  reg.instance = null;
  reg.pending = null;
  if (s.active === b) {
    s.active = null;
    s.activeName = null;
  }
  await b.dispose();
}
