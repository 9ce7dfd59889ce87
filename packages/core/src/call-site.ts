/**
 * Where in user code a tensor was made, for the leak report (`liveTensors`) when `captureStacks` is on: the first stack
 * frame outside core. Core's own frames are recognised by the directory this module was loaded from (src/ under
 * vitest and tsx, dist/ once built, where core is a single file), found once from a stack taken here.
 */

const FRAME = /\(?((?:file:\/\/|\/|[A-Za-z]:[\\/]|https?:\/\/|webpack|vite)[^()\s]*?):(\d+):(\d+)\)?\s*$/;

function fileOf(line: string): string | null {
  const m = FRAME.exec(line.trim());
  return m ? m[1] : null;
}

let coreDir: string | null | undefined;

function ownDir(): string | null {
  if (coreDir !== undefined) return coreDir;
  coreDir = null;
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  for (const line of lines) {
    const file = fileOf(line);
    if (!file) continue;
    const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
    const dir = file.slice(0, cut + 1);
    // src/call-site.ts lives in src/; built, everything is in dist/index.js — either way, its directory is core's.
    coreDir = dir.replace(/[\\/](nn|ops|optim|geometry|backend)[\\/]$/, '/');
    break;
  }
  return coreDir;
}

/** `file:line:column` of the innermost caller outside core (and outside Node's internals), or undefined. */
export function userCallSite(): string | undefined {
  const dir = ownDir();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64; // a module's forward nests deep inside core before reaching the tensor
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const line of stack.split('\n').slice(1)) {
    const file = fileOf(line);
    if (!file || file.startsWith('node:') || (dir && file.startsWith(dir))) continue;
    const m = FRAME.exec(line.trim())!;
    return `${m[1].replace(/^file:\/\//, '')}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
