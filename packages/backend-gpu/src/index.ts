/**
 * @cnn/backend-gpu: importing this package registers the 'gpu' backend (priority 0: never the default; activate it with
 * `await setBackend('gpu')`). gpu.js kernels on headless-gl in Node, WebGL2 in browsers; tensors stay in textures.
 */
import { registerBackend } from '@cnn/core';
import { GpuBackend, GpuData } from './backend.js';
import { start, NODE_HELP, type GpuContext, type GpuMode } from './context.js';

/** Starts a GL context and gpu.js; rejects (saying what to install or run) when no GL context can be made. */
export async function createGpuBackend(): Promise<GpuBackend> {
  return new GpuBackend(await start());
}

registerBackend('gpu', createGpuBackend, 0);

export { GpuBackend, GpuData, NODE_HELP };
export type { GpuContext, GpuMode };
