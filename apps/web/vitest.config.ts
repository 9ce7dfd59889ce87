import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

/**
 * The repo's shared settings (source resolution, and under CI the test-results.json reporter) plus the browser
 * suite's: one global setup builds the app, serves it and starts one Chromium (test/harness/global-setup.ts), and the
 * files run one after another, because they share that browser and this is CPU-heavy work (training, SwiftShader).
 */
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      globalSetup: ['test/harness/global-setup.ts'],
      fileParallelism: false,
      // The build and the browser start belong to the global setup; each test sets its own timeout.
      hookTimeout: 180_000,
    },
  }),
);
