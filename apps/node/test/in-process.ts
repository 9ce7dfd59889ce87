/** Runs the CLI's main() in this process, capturing what it writes, and other setup shared by the CLI tests. */
import { writeFileSync } from 'node:fs';
import { encodePng, loadMnist } from '@cnn/models/node';
import { vi } from 'vitest';
import { main } from '../src/cli/main.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  lastLine: string;
}

export async function inProcess(...args: string[]): Promise<Run> {
  return inProcessWatching(() => undefined, ...args);
}

/** inProcess, calling `watch` with all of stdout so far after each write (to act when a line is printed). */
export async function inProcessWatching(watch: (stdout: string) => void, ...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    watch(stdout);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await main(args);
    const lines = stdout.trimEnd().split('\n');
    return { code, stdout, stderr, lastLine: lines[lines.length - 1] };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Writes the first MNIST test digit as a 28×28 PNG at `path` (an image for predict). */
export function writeDigitPng(path: string): void {
  const test = loadMnist({ split: 'test' });
  const rgba = new Uint8Array(28 * 28 * 4);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(test.images[i] * 255);
    rgba.set([v, v, v, 255], i * 4);
  }
  writeFileSync(path, encodePng({ width: 28, height: 28, data: rgba }));
}
