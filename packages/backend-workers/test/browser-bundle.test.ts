// A plain browser bundle of core + the three backends builds with nothing marked external, and contains no Node
// built-in: the `browser` export condition selects index.browser.ts, whose pool starts module Web Workers from
// `new URL('./worker/browser-worker.js', import.meta.url)`. The worker module bundles cleanly too. (The behaviour in a
// real browser is tested by apps/web's Chromium tests.)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const repoRoot = join(packageRoot, '../..');
const require = createRequire(import.meta.url);

/** The part of esbuild's API used here (its types are not a dependency of this package). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[]; warnings: object[] }>;
  formatMessages(messages: object[], options: { kind: 'warning' }): Promise<string[]>;
}

/** esbuild comes with tsup (a root devDependency), resolved as scripts/generate.mjs does. */
function loadEsbuild(): Esbuild {
  try {
    return require('esbuild');
  } catch {
    return createRequire(require.resolve('tsup'))('esbuild');
  }
}

// A Node built-in, however it is referred to: by name or `node:` specifier, or loaded as a bare built-in.
const NODE_ONLY = /worker_threads|\bnode:[a-z_/]+|(?:require\(|from |import\()\s*["'](?:os|fs|path|child_process|module|url|crypto)["']/g;

/** The bundle cut into its modules, by the `// path` line esbuild writes before each one. */
function modules(code: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const part of code.split(/^\s*\/\/ (\S+\.(?:[cm]?[jt]s))$/m).slice(1).entries()) {
    if (part[0] % 2 === 0) out.push({ path: part[1], text: '' });
    else out[out.length - 1].text = part[1];
  }
  return out;
}

/**
 * What our code (workspace packages) brings must mention no Node built-in at all. Third-party code is checked for
 * `node:` specifiers only: gpu.js's browser build embeds its own worker script as a string that falls back to
 * require('worker_threads') when there is no `self`; that text is never loaded as a module by a browser bundle.
 */
function nodeReferences(code: string): string[] {
  const own = modules(code).filter((m) => !m.path.includes('node_modules/'));
  expect(own.map((m) => m.path)).toEqual(expect.arrayContaining([expect.stringMatching(/backend-workers\/src\/pool\.ts$/)]));
  const found = own.flatMap((m) => (m.text.match(NODE_ONLY) ?? []).map((hit) => `${m.path}: ${hit}`));
  return [...found, ...(code.match(/\bnode:[a-z_/]+/g) ?? [])];
}

async function bundle(entry: { contents: string } | { file: string }): Promise<{ code: string; warnings: string[] }> {
  const esbuild = loadEsbuild();
  const result = await esbuild.build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: repoRoot, sourcefile: 'app.ts', loader: 'ts' } }),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    logLevel: 'silent',
    absWorkingDir: repoRoot,
  });
  const warnings = await esbuild.formatMessages(result.warnings, { kind: 'warning' });
  return { code: result.outputFiles[0].text, warnings };
}

describe('browser bundle', () => {
  it('core + cpu + workers + gpu bundle for the browser with no Node built-in', async () => {
    const { code, warnings } = await bundle({
      contents: [
        "import { setBackend } from '@cnn/core';",
        "import '@cnn/backend-cpu';",
        "import { configureWorkers } from '@cnn/backend-workers';",
        "import '@cnn/backend-gpu';",
        'configureWorkers({ threads: 2 });',
        "export const ready = setBackend('workers');",
      ].join('\n'),
    });
    expect(warnings).toEqual([]);
    expect(nodeReferences(code)).toEqual([]);
    // The browser entry was the one bundled: its pool starts module workers from a URL bundlers can follow.
    expect(code).toMatch(/new Worker\(new URL\("\.\/worker\/browser-worker\.js", import\.meta\.url\), \{ type: "module"/);
    const paths = modules(code).map((m) => m.path);
    expect(paths.filter((p) => /backend-workers\/src\/(platform-node|index|generated\/worker-source)\.ts$/.test(p))).toEqual([]);
  });

  it('the browser worker module bundles with no Node built-in', async () => {
    const { code, warnings } = await bundle({ file: join(packageRoot, 'src/worker/browser-worker.ts') });
    expect(warnings).toEqual([]);
    expect(code.match(NODE_ONLY) ?? []).toEqual([]);
    expect(code).toContain('__cnnHost');
  });
});
