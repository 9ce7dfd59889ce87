// ESLint for the whole monorepo (flat config; every package's `lint` script runs `eslint .`, which finds this file).
// typescript-eslint's recommended rules without type information, so linting stays fast; `any` is an error, and so is
// an eslint-disable comment that no longer disables anything.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    '**/generated/**',
    '**/coverage/**',
    'apps/web/dist/**',
    // AssemblyScript (compiled to wasm by asc): decorators on functions and its own number types are not TypeScript.
    'packages/backend-workers/src/wasm/assembly/**',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // A leading underscore marks a binding kept on purpose (a callback's unused parameter, a property split off).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Node scripts written in plain JavaScript (code generators, build helpers).
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
