// The list is the only place the project names its backend packages: each entry's package registers exactly the
// names the entry lists, and loadBackend starts them.
import { afterAll, describe, expect, it } from 'vitest';
import { disposeBackend, getBackendName, listBackends } from '@cnn/core';
import { BACKEND_PACKAGES, backendNames, backendPackage, importBackend, loadBackend } from '../src/index.js';

describe('@cnn/backends', () => {
  afterAll(async () => {
    for (const name of backendNames()) await disposeBackend(name);
  });

  it('names every variant once, each from one package', () => {
    expect(backendNames()).toEqual(['cpu', 'workers', 'workers-nosimd', 'gpu']);
    expect(new Set(backendNames()).size).toBe(backendNames().length);
    expect(backendPackage('workers-nosimd')?.package).toBe('@cnn/backend-workers');
    expect(backendPackage('nope')).toBeUndefined();
  });

  it('each package registers the names its entry lists', async () => {
    for (const entry of BACKEND_PACKAGES) {
      await entry.load();
      for (const name of entry.names) expect(listBackends(), `${entry.package} registers '${name}'`).toContain(name);
    }
  });

  it('loadBackend imports and activates; unknown names are refused with the known ones', async () => {
    await loadBackend('cpu');
    expect(getBackendName()).toBe('cpu');
    await expect(importBackend('tpu')).rejects.toThrow("unknown backend 'tpu' (known: cpu, workers, workers-nosimd, gpu)");
  });
});
