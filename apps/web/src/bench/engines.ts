/**
 * The six engines the bench page compares: our backends (cpu, workers, gpu), TensorFlow.js's WebGL and WebAssembly
 * backends, and ONNX Runtime Web's WebAssembly execution provider. Each engine's code is imported when it first starts.
 * Our backends run W1 through the backend kernel contract (tools/bench's contract adapter, as in `pnpm bench`), the
 * MNIST step through the public tensor API on `models.mnistCnn()`, and the whole models with tools/bench's own model
 * workloads (`resnet18Infer`, `mobilenetInfer`); tfjs runs the same W1 conv (NHWC) and, where it has the kernels, the
 * same training step; ort-web runs the models from ONNX files of the same architectures.
 */
import { setBackend } from '@cnn/core';
import { importBackend } from '@cnn/backends';
import { models } from '@cnn/models';
import {
  MODEL_WORKLOADS, W1, buildMnistStep, contractAdapter, mobilenetInfer, resnet18Infer,
  type BrowserEngine, type BrowserWorkload, type Step, type Workload,
} from '../../../../tools/bench/src/browser.js';

export interface Engine {
  name: BrowserEngine;
  label: string;
  /** Why it can never run `workload` on this page (checked before it starts; null when it can). */
  cannotRun(workload: BrowserWorkload): string | null;
  /** Imports and starts the engine; resolves to what it reports about itself (threads, SIMD, renderer). */
  start(): Promise<string>;
  /** Why it cannot run `workload` here (null when it can); asked after `start`. */
  unsupported(workload: BrowserWorkload): Promise<string | null>;
  /** A ready-to-time step; W1 steps also have `output()` for the agreement check. Throws `SkipRow` when the engine
   * could run it but something it needs is missing. */
  step(workload: BrowserWorkload): Promise<Step>;
}

/** Diagnostics for the workers backend (bench.html?workersThreads=1&relaxedSimd=0), applied before it starts. */
export interface WorkersDiagnostics {
  threads: number | null;
  relaxedSimd: boolean | null;
}
let workersDiagnostics: WorkersDiagnostics = { threads: null, relaxedSimd: null };
export function setWorkersDiagnostics(d: WorkersDiagnostics): void {
  workersDiagnostics = d;
}

const MODEL_STEPS: Partial<Record<BrowserWorkload, Workload>> = { 'resnet18-infer': resnet18Infer, 'mobilenet-infer': mobilenetInfer };

async function loadWorkers(): Promise<unknown> {
  const { threads, relaxedSimd } = workersDiagnostics;
  if (threads !== null || relaxedSimd !== null) {
    const { configureWorkers } = await import('@cnn/backend-workers');
    configureWorkers({ ...(threads !== null && { threads }), ...(relaxedSimd !== null && { relaxedSimd }) });
  }
  return importBackend('workers');
}

function cnnEngine(name: 'cpu' | 'workers' | 'gpu', label: string, load: () => Promise<unknown>): Engine {
  const adapter = contractAdapter(name, load);
  return {
    name,
    label,
    cannotRun: () => null,
    async start() {
      if (name === 'workers' && !globalThis.crossOriginIsolated) {
        throw new Error('workers needs SharedArrayBuffer: serve the page with COOP same-origin and COEP require-corp headers');
      }
      await load();
      const info = (await setBackend(name)).info();
      return Object.entries(info).filter(([k]) => k !== 'name').map(([k, v]) => `${k} ${v}`).join(', ');
    },
    unsupported: async () => null,
    step(workload) {
      if (workload === 'w1-fwd') return adapter.convStep(W1, false);
      if (workload === 'mnist-step') return buildMnistStep(name, () => models.mnistCnn());
      const w = MODEL_STEPS[workload];
      if (w?.kind !== 'tensor-api') throw new Error(`bench page: no step for ${workload}`);
      return w.build(name);
    },
  };
}

function tfjsEngine(backend: 'webgl' | 'wasm', label: string): Engine {
  const tfjs = () => import('./tfjs.js');
  return {
    name: `tfjs-${backend}`,
    label,
    cannotRun: (workload) => (MODEL_WORKLOADS.includes(workload) ? 'no model workloads in tfjs (not written: tools/bench has none either)' : null),
    start: async () => (await tfjs()).startTfjs(backend),
    unsupported: async (workload) => (await tfjs()).tfjsUnsupported(backend, workload),
    step: async (workload) => (await tfjs()).tfjsStep(backend, workload),
  };
}

function ortEngine(): Engine {
  const ort = () => import('./ort.js');
  return {
    name: 'ort-web',
    label: 'ONNX Runtime Web 1.30 wasm (SIMD, 2 threads)',
    cannotRun: (workload) => (MODEL_WORKLOADS.includes(workload) ? null : `ONNX models only (${MODEL_WORKLOADS.join(', ')})`),
    start: async () => (await ort()).startOrt(),
    unsupported: async () => null,
    step: async (workload) => (await ort()).ortStep(workload),
  };
}

export const ENGINES: Record<BrowserEngine, Engine> = {
  cpu: cnnEngine('cpu', 'cnn cpu (JavaScript, main thread)', () => importBackend('cpu')),
  workers: cnnEngine('workers', 'cnn workers (Web Workers + wasm SIMD)', loadWorkers),
  gpu: cnnEngine('gpu', 'cnn gpu (gpu.js on WebGL2)', () => importBackend('gpu')),
  'tfjs-webgl': tfjsEngine('webgl', 'TensorFlow.js 4.22 webgl'),
  'tfjs-wasm': tfjsEngine('wasm', 'TensorFlow.js 4.22 wasm (XNNPACK)'),
  'ort-web': ortEngine(),
};
