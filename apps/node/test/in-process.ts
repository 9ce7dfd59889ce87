/** Runs the CLI's main() in this process, capturing what it writes (shared by the CLI tests). */
import { vi } from 'vitest';
import { main } from '../src/cli/main.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  lastLine: string;
}

export async function inProcess(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
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
