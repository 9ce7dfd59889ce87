/**
 * @cnn/backend-gpu: importing this package registers the 'gpu' backend (priority 0: never the default; activate it with
 * `await setBackend('gpu')`). gpu.js kernels on headless-gl in Node, WebGL2 in browsers; tensors stay in textures.
 */
import { registerBackend } from '@cnn/core';
import { GpuBackend } from './backend.js';
import { GpuData } from './runtime.js';
import { start, NODE_HELP, type GlContext, type GpuContext, type GpuJs, type GpuKernel, type GpuKernelArg, type GpuKernelSettings, type GpuMode, type GpuTexture } from './context.js';

/** Starts a GL context and gpu.js; rejects (saying what to install or run) when no GL context can be made. */
export async function createGpuBackend(): Promise<GpuBackend> {
  return new GpuBackend(await start());
}

registerBackend('gpu', createGpuBackend, 0);

export { GpuBackend, GpuData, NODE_HELP };
export type { GlContext, GpuContext, GpuJs, GpuKernel, GpuKernelArg, GpuKernelSettings, GpuMode, GpuTexture };
