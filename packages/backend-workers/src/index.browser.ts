/**
 * @cnn/backend-workers in browsers (selected by the `browser` export condition): the same API and backends as the
 * Node entry (index.ts), on module Web Workers (platform-browser.ts). Nothing here refers to a Node built-in, so any
 * bundler can bundle it. The page (or the worker that imports this) must be cross-origin isolated.
 */
import { WorkersBackend } from './backend.js';
import { configureWorkers, type WorkersOptions } from './options.js';
import { browserPlatform } from './platform-browser.js';
import { registerWorkersBackends, type CreateWorkersBackend } from './register.js';
import { simdSupported } from './wasm/loader.js';

/** Starts a backend with explicit options (also what the registered factories do). */
export const createWorkersBackend: CreateWorkersBackend = registerWorkersBackends(browserPlatform);

export { WorkersBackend, configureWorkers, simdSupported };
export type { WorkersOptions, CreateWorkersBackend };
