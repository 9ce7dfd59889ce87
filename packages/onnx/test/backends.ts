/**
 * The backends the fixture comparisons run on: CNN_ONNX_BACKENDS (comma-separated), default `cpu,workers`. The gpu
 * backend needs headless-gl and a display: `CNN_ONNX_BACKENDS=cpu,workers,gpu xvfb-run -a npx vitest run`.
 */
import { setBackend } from '@cnn/core';

export const TEST_BACKENDS: readonly string[] = (process.env.CNN_ONNX_BACKENDS ?? 'cpu,workers')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');

const PACKAGES: Readonly<Record<string, string>> = { cpu: '@cnn/backend-cpu', workers: '@cnn/backend-workers', 'workers-nosimd': '@cnn/backend-workers', gpu: '@cnn/backend-gpu' };

/** Imports the backend's package (which registers it) and makes it the active backend. */
export async function useBackend(name: string): Promise<void> {
  const pkg = PACKAGES[name] ?? `@cnn/backend-${name}`;
  await import(/* @vite-ignore */ pkg);
  await setBackend(name);
}
