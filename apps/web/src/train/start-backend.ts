/**
 * Starts a compute backend where the trainer runs (inside the worker): the backend package is imported only when
 * chosen, started with setBackend, then checked with a tiny computation, so a backend that registers but cannot
 * compute here (no WebGL in a worker, no nested workers) is caught before training and the panel can fall back.
 */
import { getBackendName, tensor, tidy } from '@cnn/core';
import type { BackendName } from '../app-api.js';
import { startBackend as importAndStart } from '../backends.js';

/** Imports, starts and checks backend `name`; resolves to the name it runs under. Rejects with the reason otherwise. */
export async function startBackend(name: BackendName): Promise<string> {
  await importAndStart(name); // the page's own backend list (worker-safe: no DOM), one chunk per backend
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
