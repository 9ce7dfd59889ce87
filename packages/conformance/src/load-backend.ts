import { setBackend } from '@cnn/core';

/** What the runner uses of @cnn/backends, the project's one list of backend packages. */
interface BackendList {
  backendNames(): string[];
  backendPackage(name: string): { package: string } | undefined;
  importBackend(name: string): Promise<unknown>;
}

/**
 * A variable, not a literal: @cnn/backends depends on every backend package, and each backend's tests depend on this
 * package, so it cannot be a dependency here (and a bundler must not inline it). It resolves where it is installed —
 * in this repository, as a root devDependency.
 */
const BACKEND_LIST_PACKAGE = '@cnn/backends';

function notFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** @cnn/backends, or null where it is not installed. */
async function backendList(): Promise<BackendList | null> {
  try {
    return (await import(/* @vite-ignore */ BACKEND_LIST_PACKAGE)) as BackendList;
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
}

/** The backend names @cnn/backends lists (empty where it is not installed). */
export async function knownBackendNames(): Promise<string[]> {
  return (await backendList())?.backendNames() ?? [];
}

/**
 * Imports the package that registers backend `name`, without starting it: `moduleSpecifier` when given, else the
 * package @cnn/backends lists for the name, else `@cnn/backend-<name>`.
 */
export async function importBackendPackage(name: string, moduleSpecifier?: string): Promise<void> {
  const list = moduleSpecifier ? null : await backendList();
  if (list?.backendPackage(name)) {
    await list.importBackend(name);
    return;
  }
  const spec = moduleSpecifier ?? `@cnn/backend-${name}`;
  try {
    await import(/* @vite-ignore */ spec);
  } catch (err) {
    if (!notFound(err)) throw err;
    const known = list ? ` (@cnn/backends lists: ${list.backendNames().join(', ')})` : '';
    throw new Error(`backend '${name}': cannot load package '${spec}' (${(err as Error).message.split('\n')[0]})${known}. Add it to packages/backends, or pass --module <path>.`, { cause: err });
  }
}

/** Imports the backend's package (which registers it) and activates it. */
export async function loadBackend(name: string, moduleSpecifier?: string): Promise<void> {
  await importBackendPackage(name, moduleSpecifier);
  await setBackend(name);
}
