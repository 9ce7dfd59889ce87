// Every contract kernel against backend-cpu on the conformance package's random geometries — Winograd-eligible convs,
// channel splits at batch 1, every matmul layout, long reductions, empty and large tensors — on the SIMD and the
// plain-JavaScript path, with every parallel kernel sent to the pool (inlineBelow 0), however small.
import { runKernelConformance } from '@cnn/conformance/vitest';
import { configureWorkers } from '@cnn/backend-workers';

configureWorkers({ threads: 2, inlineBelow: 0 });
runKernelConformance('workers');
runKernelConformance('workers-nosimd');
