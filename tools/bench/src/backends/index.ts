import type { BenchAdapter } from '../types.js';
import { cpu } from './cpu.js';
import { tfjsCpu } from './tfjs-cpu.js';

export const ADAPTERS: Record<string, BenchAdapter> = {
  [cpu.name]: cpu,
  [tfjsCpu.name]: tfjsCpu,
};
