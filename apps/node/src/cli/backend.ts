/** Selects the compute backend among those @cnn/backends lists; a backend's package is imported only when asked for. */
import { getBackendName, setBackend } from '@cnn/core';
import { backendNames, importBackend } from '@cnn/backends';
import { CliError } from './args.js';

/** Every backend name the project's list registers (cpu, workers, workers-nosimd, gpu, …). */
export const BACKENDS: readonly string[] = backendNames();
export type BackendChoice = string;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

export async function useBackend(name: BackendChoice): Promise<string> {
  try {
    await importBackend(name);
  } catch (err) {
    throw new CliError(`backend '${name}' failed to load: ${firstLine(err)}`);
  }
  try {
    await setBackend(name);
  } catch (err) {
    throw new CliError(`backend '${name}' failed to start: ${firstLine(err)}`);
  }
  return getBackendName();
}
