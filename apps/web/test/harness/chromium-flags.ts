/**
 * How the browser tests find and start Chromium. Debian's package (`apt-get install chromium`) is used, never a
 * browser downloaded by Playwright: the CI image has no network beyond the npm registry.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, no sandbox (containers), software rendering (WebGL2 comes from SwiftShader), and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
] as const;

/** The three backends the page offers, in the order the tests visit them. */
export const BACKENDS = ['cpu', 'workers', 'gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
