import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConformanceFile, type ConformanceFile } from './format.js';

/** The project's own fixtures, generated from PyTorch by tools/golden (one file per op). */
export function fixturesDir(): string {
  return fileURLToPath(new URL('../fixtures', import.meta.url));
}

export function fixtureFiles(): string[] {
  return readdirSync(fixturesDir())
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(fixturesDir(), f));
}

export function loadConformanceFile(path: string): ConformanceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read cases file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return parseConformanceFile(text, path);
}
