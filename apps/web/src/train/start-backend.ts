/**
 * Starts a compute backend where the trainer runs (inside the worker): the backend package is imported only when
 * chosen, started with setBackend, then checked with a tiny computation, so a backend that registers but cannot
 * compute here (no WebGL in a worker, no nested workers) is caught before training and the panel can fall back.
 */
import { getBackendName, setBackend, tensor, tidy } from '@cnn/core';
import type { BackendName } from '../app-api.js';

async function importBackend(name: BackendName): Promise<void> {
  // Literal specifiers, so the bundler makes one chunk per backend and loads only the chosen one.
  if (name === 'cpu') await import('@cnn/backend-cpu');
  else if (name === 'workers') await import('@cnn/backend-workers');
  else if (name === 'gpu') await import('@cnn/backend-gpu');
  else throw new Error(`startBackend: unknown backend '${String(name)}'; expected cpu, workers or gpu`);
}

/** Imports, starts and checks backend `name`; resolves to the name it runs under. Rejects with the reason otherwise. */
export async function startBackend(name: BackendName): Promise<string> {
  await importBackend(name);
  await setBackend(name);
  // Upload, an elementwise op, a reduction and a readback: (1+2+3+4)·2 = 20.
  const check = tidy(() => tensor([1, 2, 3, 4], [1, 1, 2, 2]).mul(2).sum());
  try {
    const v = await check.item();
    if (v !== 20) throw new Error(`startBackend: backend '${name}' computed ${v} for a check whose answer is 20`);
  } finally {
    check.dispose();
  }
  return getBackendName();
}
