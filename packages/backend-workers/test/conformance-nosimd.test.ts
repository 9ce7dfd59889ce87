// The same suite on the plain-JavaScript path ('workers-nosimd': the same pool, no WebAssembly).
import { runConformance } from '@cnn/conformance/vitest';
import { configureWorkers } from '@cnn/backend-workers';

configureWorkers({ threads: 2, inlineBelow: 0 });
runConformance('workers-nosimd');
