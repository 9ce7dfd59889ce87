/**
 * Every bench adapter by name: each backend @cnn/backends lists (cpu, workers, workers-nosimd, gpu, …), timed through
 * the kernel contract (./contract.ts), TensorFlow.js's cpu and wasm backends as reference points, and the anchors that
 * time workloads outside this process: PyTorch (./torch.ts) and ONNX Runtime (./onnxruntime.ts). A new cnn backend
 * appears here by being added to @cnn/backends.
 */
import { BACKEND_PACKAGES } from '@cnn/backends';
import type { BenchAdapter } from '../types.js';
import { contractAdapter } from './contract.js';
import { tfjsCpu } from './tfjs-cpu.js';
import { tfjsWasm } from './tfjs-wasm.js';
import { torchAnchor } from './torch.js';
import { onnxruntimeAnchor } from './onnxruntime.js';

/**
 * Runs where the default (7 timed, 2 warm-up) is too slow. gpu: gpu.js on headless-gl (run under `xvfb-run -a` when
 * there is no display); on a software renderer (Mesa llvmpipe) its timings are relative costs only, and warm-up
 * compiles the shaders.
 */
const RUNS: Record<string, { runs: number; warmup: number }> = { gpu: { runs: 5, warmup: 2 } };

const cnnAdapters = BACKEND_PACKAGES.flatMap((p) => p.names.map((name) => contractAdapter(name, () => p.load(), RUNS[name])));

export const ADAPTERS: Record<string, BenchAdapter> = Object.fromEntries(
  [...cnnAdapters, tfjsCpu, tfjsWasm, torchAnchor, onnxruntimeAnchor].map((a) => [a.name, a]),
);
