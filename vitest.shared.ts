import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares. 'source' resolves workspace packages to their TypeScript sources, so
 * tests need no build first. Each package also writes test-results.json, which .ci/run totals; always, not only under CI,
 * because turbo caches it as the test task's output and warns about a task that declares an output it never wrote.
 */
const conditions = ['source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
