/**
 * @cnn/backend-workers through the backend contract: 'workers' (pool + WebAssembly SIMD kernels) and
 * 'workers-nosimd' (the same pool on the plain-JavaScript kernels). Threads: CNN_WORKERS_THREADS (default: cores).
 * Imported by relative source path so tools/bench needs no new dependency (add "@cnn/backend-workers": "workspace:*"
 * to its package.json to import it by name).
 */
import { contractAdapter } from './contract.js';

const load = () => import('../../../../packages/backend-workers/src/index.js');

export const workers = contractAdapter('workers', load);
export const workersNoSimd = contractAdapter('workers-nosimd', load);
