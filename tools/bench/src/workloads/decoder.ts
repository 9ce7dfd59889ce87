/**
 * Decoder workloads: the transposed conv of a decoder's 2× upsampling step, x [8, 64, 16, 16] → [8, 32, 32, 32]
 * (weight [64, 32, 4, 4], stride 2, padding 1), through the public API and as the bare kernel it runs on.
 *
 * - `convtranspose`: F.convTranspose2d forward (no bias), output read back.
 * - `convtranspose-kernel`: the backend's conv2dBackwardInput on the same geometry (resolveConvTranspose2d), called
 *   directly: what the op costs without core's validation, bookkeeping and tensor wrapping.
 * - `decoder-fwdbwd`: F.convTranspose2d forward + backward (dx is that conv's forward, dw its filter gradient).
 *
 * Flops count 2 × input elements × Cout × kH × kW = 2 × 67,108,864 per pass (the same as the matching conv2d
 * [8, 32, 32, 32] → [8, 64, 16, 16]). Browser-safe.
 */
import { F, getBackend, manualSeed, randn, resolveConvTranspose2d, setBackend, tidy, type Tensor } from '@cnn/core';
import type { Step, Workload } from '../types.js';

const X: [number, number, number, number] = [8, 64, 16, 16];
const W: [number, number, number, number] = [64, 32, 4, 4];
const OPTS = { stride: 2, padding: 1 } as const;
const MACS = X.reduce((a, b) => a * b, 1) * W[1] * W[2] * W[3]; // 67,108,864

async function setup(backendName: string, requiresGrad: boolean): Promise<{ x: Tensor; w: Tensor }> {
  await setBackend(backendName);
  manualSeed(1);
  const x = randn(X).keep();
  const w = F.mul(randn(W), 0.05).keep();
  if (requiresGrad) {
    x.requiresGrad = true;
    w.requiresGrad = true;
  }
  return { x, w };
}

const disposeAll = (...ts: Tensor[]): void => {
  for (const t of ts) t.dispose();
};

export const convTranspose: Workload = {
  kind: 'tensor-api',
  name: 'convtranspose',
  description: 'F.convTranspose2d forward, x [8,64,16,16] → [8,32,32,32], kernel 4 stride 2 padding 1',
  flops: 2 * MACS,
  images: X[0],
  async build(backendName): Promise<Step> {
    const { x, w } = await setup(backendName, false);
    return {
      async run() {
        const y = F.convTranspose2d(x, w, null, OPTS);
        await y.data();
        y.dispose();
      },
      async output() {
        const y = F.convTranspose2d(x, w, null, OPTS);
        const d = await y.data();
        y.dispose();
        return Float32Array.from(d);
      },
      dispose: () => disposeAll(x, w),
    };
  },
};

export const convTransposeKernel: Workload = {
  kind: 'tensor-api',
  name: 'convtranspose-kernel',
  description: 'backend conv2dBackwardInput called directly on the convtranspose geometry',
  flops: 2 * MACS,
  images: X[0],
  async build(backendName): Promise<Step> {
    const { x, w } = await setup(backendName, false);
    const geo = resolveConvTranspose2d('bench', X, W, null, OPTS);
    const b = getBackend();
    return {
      async run() {
        const id = b.conv2dBackwardInput(x, w, geo);
        await b.read(id);
        b.disposeData(id);
      },
      dispose: () => disposeAll(x, w),
    };
  },
};

export const decoderFwdBwd: Workload = {
  kind: 'tensor-api',
  name: 'decoder-fwdbwd',
  description: 'F.convTranspose2d forward + backward (dx, dw), convtranspose geometry',
  flops: 3 * 2 * MACS,
  images: X[0],
  async build(backendName): Promise<Step> {
    const { x, w } = await setup(backendName, true);
    return {
      async run() {
        const grads = tidy(() => {
          F.convTranspose2d(x, w, null, OPTS).sum().backward();
          return [x.grad!, w.grad!];
        });
        await grads[0].data();
        await grads[1].data();
        x.grad = null; // frees the gradients
        w.grad = null;
      },
      dispose: () => disposeAll(x, w),
    };
  },
};
