/** Selects the compute backend; 'workers' and 'gpu' are imported only when asked for. */
import { getBackendName, listBackends, setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { CliError } from './args.js';

export const BACKENDS = ['cpu', 'workers', 'gpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

const PACKAGES: Record<BackendChoice, string> = { cpu: '@cnn/backend-cpu', workers: '@cnn/backend-workers', gpu: '@cnn/backend-gpu' };

export async function useBackend(name: BackendChoice): Promise<string> {
  if (name !== 'cpu') {
    const before = new Set(listBackends());
    try {
      await import(PACKAGES[name]);
    } catch (err) {
      throw new CliError(`backend '${name}' failed to load from ${PACKAGES[name]}: ${(err as Error).message.split('\n')[0]}`);
    }
    // Use the name the package registered (it may be e.g. 'webgl' for the gpu package).
    const added = listBackends().filter((b) => !before.has(b));
    const candidates = listBackends().includes(name) ? [name] : added;
    if (candidates.length === 0) throw new CliError(`backend '${name}': ${PACKAGES[name]} loaded but registered no backend (registered: ${listBackends().join(', ')})`);
    try {
      await setBackend(candidates[0]);
    } catch (err) {
      throw new CliError(`backend '${name}' failed to start: ${(err as Error).message.split('\n')[0]}`);
    }
    return getBackendName();
  }
  await setBackend('cpu');
  return getBackendName();
}
