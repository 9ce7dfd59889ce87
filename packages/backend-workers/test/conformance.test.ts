// The contract in executable form on 'workers' with its WebAssembly SIMD kernels: every PyTorch fixture case
// (outputs, gradients, leak check) and numerical gradient checks. inlineBelow 0 sends every parallel kernel to the
// pool, however small, so the worker path is what gets checked.
import { runConformance } from '@cnn/conformance/vitest';
import { configureWorkers } from '@cnn/backend-workers';

configureWorkers({ threads: 2, inlineBelow: 0 });
runConformance('workers');
