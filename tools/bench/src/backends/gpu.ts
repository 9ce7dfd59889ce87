/**
 * The gpu backend (gpu.js on headless-gl; run under `xvfb-run -a` when there is no display), through the kernel
 * contract like cpu. On Mesa llvmpipe (no GPU) its timings are relative costs only. Warm-up compiles the shaders.
 */
import { contractAdapter } from './contract.js';

export const gpu = contractAdapter('gpu', () => import('@cnn/backend-gpu'), { runs: 5, warmup: 2 });
