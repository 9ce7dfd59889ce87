/**
 * The module a browser pool worker runs (platform-browser.ts starts it as a module Web Worker). Bundlers follow the
 * `new URL(..., import.meta.url)` that names it and bundle this file with everything below.
 */
import './browser-host.js';
import './entry.js';
