// PyTorch's answers on NaN, ±inf, ±0, ties and empty tensors (the contract's "Special values") on every path of this
// backend: WebAssembly SIMD and plain JavaScript, each with every parallel kernel sent to the pool (inlineBelow 0)
// and with the default threshold, under which these small cases run inline on the calling thread.
import { registerBackend } from '@cnn/core';
import { runSpecialValues } from '@cnn/conformance/vitest';
import { createWorkersBackend, simdSupported } from '@cnn/backend-workers';

const variants = [
  { name: 'workers-special-simd-pool', simd: true, inlineBelow: 0 },
  { name: 'workers-special-simd-inline', simd: true, inlineBelow: undefined },
  { name: 'workers-special-nosimd-pool', simd: false, inlineBelow: 0 },
  { name: 'workers-special-nosimd-inline', simd: false, inlineBelow: undefined },
];

if (!simdSupported()) throw new Error('this engine has no WebAssembly SIMD, so the SIMD paths cannot be checked here');
for (const v of variants) {
  registerBackend(v.name, async () => {
    const backend = await createWorkersBackend({ threads: 2, simd: v.simd, inlineBelow: v.inlineBelow }, v.name);
    if (backend.info().simd !== v.simd) throw new Error(`${v.name}: asked for simd ${v.simd}, got ${backend.info().simd}`);
    return backend;
  }, -10);
  runSpecialValues(v.name, { module: '@cnn/backend-workers' });
}
