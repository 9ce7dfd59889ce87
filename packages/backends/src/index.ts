/**
 * @cnn/backends — every backend package of the project, listed once. The node CLI, the bench, the conformance runner
 * and the web app find backends here, so a new backend package is wired in by one entry below (plus its line in this
 * package's dependencies).
 *
 * Each `load` is a static `import('…')` so bundlers (Vite) can see it and split the package into its own chunk;
 * nothing is imported until a backend is asked for.
 */
import { setBackend, type Backend } from '@cnn/core';

export interface BackendPackage {
  /** The npm package; importing it registers its backends with @cnn/core. */
  package: string;
  /** The names it registers, its main backend first (one package may register variants). */
  names: readonly string[];
  /** One line for help texts and pickers. */
  description: string;
  /** Imports the package, which registers its backends. */
  load(): Promise<unknown>;
}

export const BACKEND_PACKAGES: readonly BackendPackage[] = [
  {
    package: '@cnn/backend-cpu',
    names: ['cpu'],
    description: 'plain JavaScript on the calling thread',
    load: () => import('@cnn/backend-cpu'),
  },
  {
    package: '@cnn/backend-workers',
    names: ['workers', 'workers-nosimd'],
    description: 'a worker pool on shared memory with WebAssembly SIMD kernels (workers-nosimd: the same pool, plain-JavaScript kernels)',
    load: () => import('@cnn/backend-workers'),
  },
  {
    package: '@cnn/backend-gpu',
    names: ['gpu'],
    description: 'gpu.js kernels on WebGL (headless-gl in Node)',
    load: () => import('@cnn/backend-gpu'),
  },
];

/** Every backend name the listed packages register, in list order. */
export function backendNames(): string[] {
  return BACKEND_PACKAGES.flatMap((p) => p.names);
}

/** The package that registers `name`, or undefined. */
export function backendPackage(name: string): BackendPackage | undefined {
  return BACKEND_PACKAGES.find((p) => p.names.includes(name));
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** Imports the package that registers `name` (without starting it). Rejects naming the known backends. */
export async function importBackend(name: string): Promise<BackendPackage> {
  const entry = backendPackage(name);
  if (!entry) throw new Error(`importBackend: unknown backend '${name}' (known: ${backendNames().join(', ')})`);
  try {
    await entry.load();
  } catch (err) {
    throw new Error(`importBackend: backend '${name}': cannot load package ${entry.package} (${reason(err)})`, { cause: err });
  }
  return entry;
}

/** Imports the backend's package and makes it the active backend; rejects with the backend's own reason if it cannot start. */
export async function loadBackend(name: string): Promise<Backend> {
  await importBackend(name);
  return setBackend(name);
}
