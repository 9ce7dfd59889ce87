import { setBackend } from '@cnn/core';

/** Backend packages of this project, by registered name. Others load with an explicit module specifier. */
export const KNOWN_BACKEND_PACKAGES: Record<string, string> = {
  cpu: '@cnn/backend-cpu',
  workers: '@cnn/backend-workers',
  gpu: '@cnn/backend-gpu',
};

/** Imports the backend's package (which registers it) and activates it. */
export async function loadBackend(name: string, moduleSpecifier?: string): Promise<void> {
  const spec = moduleSpecifier ?? KNOWN_BACKEND_PACKAGES[name] ?? `@cnn/backend-${name}`;
  try {
    await import(spec);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') {
      throw new Error(`backend '${name}': cannot load package '${spec}' (${e.message.split('\n')[0]}). Install it, or pass --module <path>.`);
    }
    throw err;
  }
  await setBackend(name);
}
