import type { BenchAdapter } from '../types.js';
import { cpu } from './cpu.js';
import { gpu } from './gpu.js';
import { tfjsCpu } from './tfjs-cpu.js';
import { workers, workersNoSimd } from './workers.js';
import { tfjsWasm } from './tfjs-wasm.js';

export const ADAPTERS: Record<string, BenchAdapter> = {
  [cpu.name]: cpu,
  [gpu.name]: gpu,
  [tfjsCpu.name]: tfjsCpu,
  [workers.name]: workers,
  [workersNoSimd.name]: workersNoSimd,
  [tfjsWasm.name]: tfjsWasm,
};
