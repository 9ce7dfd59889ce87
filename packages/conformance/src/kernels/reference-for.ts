import { disposeBackend, setBackend, type Backend } from '@cnn/core';
import { importBackendPackage } from '../load-backend.js';
import { ReferenceBackend } from './reference/backend.js';

/**
 * What backend `name`'s kernels are compared with: for 'cpu', the definitions (ReferenceBackend: cpu against itself
 * would prove nothing, and its fast paths — Winograd, packed GEMM, im2col — are what needs checking); for every
 * other backend, the cpu backend, itself held to the PyTorch fixtures and special values. Call it before activating
 * the backend under test: starting cpu makes it the active backend.
 */
export async function kernelReferenceFor(name: string): Promise<Backend> {
  if (name === 'cpu') return new ReferenceBackend();
  await importBackendPackage('cpu');
  return setBackend('cpu');
}

/** Frees what kernelReferenceFor started. */
export async function releaseKernelReference(reference: Backend): Promise<void> {
  if (reference instanceof ReferenceBackend) reference.dispose();
  else await disposeBackend('cpu');
}
