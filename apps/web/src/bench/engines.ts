/**
 * The five engines the bench page compares: our backends (cpu, workers, gpu) and TensorFlow.js's WebGL and
 * WebAssembly backends. Each engine's code is imported when it first starts. Our backends run W1 through the backend
 * kernel contract (tools/bench's contract adapter, as in `pnpm bench`) and the MNIST step through the public tensor
 * API on `models.mnistCnn()`; tfjs runs the same W1 conv (NHWC) and, where it has the kernels, the same training step.
 */
import { setBackend } from '@cnn/core';
import { importBackend } from '@cnn/backends';
import { models } from '@cnn/models';
import {
  W1, buildMnistStep, contractAdapter, type BrowserEngine, type BrowserWorkload, type Step,
} from '../../../../tools/bench/src/browser.js';

export interface Engine {
  name: BrowserEngine;
  label: string;
  /** Imports and starts the engine; resolves to what it reports about itself (threads, SIMD, renderer). */
  start(): Promise<string>;
  /** Why it cannot run `workload` (null when it can); asked after `start`. */
  unsupported(workload: BrowserWorkload): Promise<string | null>;
  /** A ready-to-time step; W1 steps also have `output()` for the agreement check. */
  step(workload: BrowserWorkload): Promise<Step>;
}

function cnnEngine(name: 'cpu' | 'workers' | 'gpu', label: string, load: () => Promise<unknown>): Engine {
  const adapter = contractAdapter(name, load);
  return {
    name,
    label,
    async start() {
      if (name === 'workers' && !globalThis.crossOriginIsolated) {
        throw new Error('workers needs SharedArrayBuffer: serve the page with COOP same-origin and COEP require-corp headers');
      }
      await load();
      const info = (await setBackend(name)).info();
      return Object.entries(info).filter(([k]) => k !== 'name').map(([k, v]) => `${k} ${v}`).join(', ');
    },
    unsupported: async () => null,
    step: (workload) => (workload === 'w1-fwd' ? adapter.convStep(W1, false) : buildMnistStep(name, () => models.mnistCnn())),
  };
}

function tfjsEngine(backend: 'webgl' | 'wasm', label: string): Engine {
  const tfjs = () => import('./tfjs.js');
  return {
    name: `tfjs-${backend}`,
    label,
    start: async () => (await tfjs()).startTfjs(backend),
    unsupported: async (workload) => (await tfjs()).tfjsUnsupported(backend, workload),
    step: async (workload) => (await tfjs()).tfjsStep(backend, workload),
  };
}

export const ENGINES: Record<BrowserEngine, Engine> = {
  cpu: cnnEngine('cpu', 'cnn cpu (JavaScript, main thread)', () => importBackend('cpu')),
  workers: cnnEngine('workers', 'cnn workers (Web Workers + wasm SIMD)', () => importBackend('workers')),
  gpu: cnnEngine('gpu', 'cnn gpu (gpu.js on WebGL2)', () => importBackend('gpu')),
  'tfjs-webgl': tfjsEngine('webgl', 'TensorFlow.js 4.22 webgl'),
  'tfjs-wasm': tfjsEngine('wasm', 'TensorFlow.js 4.22 wasm (XNNPACK)'),
};
