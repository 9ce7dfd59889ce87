/**
 * What both package entries share: the factory that resolves options and starts a backend on a given platform, and
 * the registration of 'workers' / 'workers-nosimd' with @cnn/core. index.ts passes the Node platform,
 * index.browser.ts the browser one.
 */
import { registerBackend } from '@cnn/core';
import { WorkersBackend, type ResolvedWorkersOptions } from './backend.js';
import { configuredOptions, inlineFromEnv, relaxedSimdFromEnv, simdFromEnv, threadsFromEnv, type WorkersOptions } from './options.js';
import type { Platform } from './platform.js';
import { relaxedSimdSupported, simdSupported } from './wasm/loader.js';

/** Starts a backend with explicit options (also what the registered factories do). */
export type CreateWorkersBackend = (opts?: WorkersOptions, name?: string) => Promise<WorkersBackend>;

/** Registers 'workers' (priority 0) and 'workers-nosimd' (priority -1) on `platform`; returns the factory. */
export function registerWorkersBackends(platform: Platform): CreateWorkersBackend {
  const create: CreateWorkersBackend = async (opts = {}, name = 'workers') => {
    const o = { ...configuredOptions(), ...opts };
    const wantSimd = o.simd ?? simdFromEnv() ?? true;
    const simd = wantSimd && simdSupported();
    const wantRelaxed = o.relaxedSimd ?? relaxedSimdFromEnv();
    if (wantRelaxed === true && !relaxedSimdSupported()) {
      throw new Error(
        `${name} backend: relaxedSimd: true, but this engine has no WebAssembly relaxed SIMD ` +
          '(Node 20: start node with --experimental-wasm-relaxed-simd; browsers: Chromium 114+). Leave it unset to use it where available.',
      );
    }
    const resolved: ResolvedWorkersOptions = {
      threads: Math.max(1, Math.floor(o.threads ?? threadsFromEnv() ?? platform.defaultThreads())),
      simd,
      relaxedSimd: simd && (wantRelaxed ?? true) && relaxedSimdSupported(),
      inlineBelow: o.inlineBelow ?? inlineFromEnv() ?? 200_000,
      resourceLimits: o.resourceLimits,
    };
    return WorkersBackend.create(name, resolved, platform);
  };
  registerBackend('workers', () => create({}, 'workers'), 0);
  registerBackend('workers-nosimd', () => create({ simd: false }, 'workers-nosimd'), -1);
  return create;
}
