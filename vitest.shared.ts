import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares. 'source' resolves workspace packages to their TypeScript sources, so
 * tests need no build first. Under CI each package also writes test-results.json, which .ci/run totals.
 */
const conditions = ['source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
