/**
 * Crash safety of writeCheckpoint: a child process (scripts/checkpoint-writer.ts) writing checkpoints is killed with
 * SIGKILL at every stage of a write (paused there by the test hook), and at random times while it writes with a
 * sleep at every stage. After each kill the latest checkpoint must load (sizes and hashes match the manifest), be a
 * complete one (every weight = its epoch), be the newest completed before the kill, and the folder must take new
 * checkpoints (leftovers of the killed write are cleaned up).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { full, globalGenerator, nn, noGrad, optim, setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { encodeCheckpoint, type TrainState } from '../src/index.js';
import { readCheckpoint, writeCheckpoint } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const script = join(here, 'scripts/checkpoint-writer.ts');
const source = mkdtempSync(join(tmpdir(), 'cnn-kill-source-'));
const COUNT = 50;

/** Checkpoint k's files (every weight = k, an SGD momentum state, epoch k) under source/<k>/, for the child to write. */
async function prepare(): Promise<void> {
  const model = new nn.Linear({ inFeatures: 64, outFeatures: 64 });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const set = (v: number): void => noGrad(() => model.parameters().forEach((p) => p.assign(full(p.shape, v))));
  for (let k = 1; k <= COUNT; k++) {
    for (const p of model.parameters()) p.grad = full(p.shape, 1).keep();
    optimizer.step();
    set(k);
    const state: TrainState = {
      format: 'cnn-train-state/1', epochs: COUNT, epoch: k, batch: 0, batches: 1, partial: null,
      rng: { global: globalGenerator().getState(), loader: globalGenerator().getState(), loaderEpochStart: null, extra: {} }, scheduler: null, history: [], best: null,
    };
    const files = await encodeCheckpoint(model, optimizer, state);
    mkdirSync(join(source, String(k)));
    for (const [f, b] of Object.entries(files)) writeFileSync(join(source, String(k), f), b);
  }
}

/** Runs the writer and SIGKILLs it on `PAUSED`, or after `killAfterMs`; resolves with the checkpoints it completed. */
function runAndKill(dir: string, count: number, pause: string, sleepMs: number, killAfterMs?: number): Promise<{ done: number; killed: boolean }> {
  return new Promise((done, reject) => {
    // node itself with tsx's loader in-process (the tsx wrapper would run the script in a grandchild that a kill misses).
    const child = spawn(process.execPath, ['--import', 'tsx', script, source, dir, String(count), pause, String(sleepMs)], { cwd: root });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const completed = (): number => Math.max(0, ...[...out.matchAll(/DONE (\d+)/g)].map((m) => Number(m[1])));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('PAUSED')) child.kill('SIGKILL');
      // Start the clock once the first checkpoint exists, so random kills land among writes, not in start-up.
      if (killAfterMs !== undefined && !timer && completed() >= 1) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`writer failed (${code}): ${stderr}`));
      else done({ done: completed(), killed: signal === 'SIGKILL' });
    });
  });
}

/** The latest checkpoint loads and is whole: weights all equal to its epoch, state and manifest agreeing. */
async function latestEpoch(dir: string): Promise<number> {
  const c = await readCheckpoint(dir);
  const epoch = c.manifest.epoch;
  expect(c.state.epoch).toBe(epoch);
  for (const e of Object.values(c.model)) expect(Array.from(e.data).every((v) => v === epoch)).toBe(true);
  expect(Object.keys(c.optimizer.state)).toEqual(['0', '1']);
  return epoch;
}

/** The folder still takes checkpoints after the kill, and the leftovers go. */
async function writeAfter(dir: string): Promise<void> {
  const before = await readCheckpoint(dir);
  const files = { 'model.safetensors': new Uint8Array(0), 'optimizer.safetensors': new Uint8Array(0), 'state.json': new Uint8Array(0) };
  // Re-write the same (valid) checkpoint bytes as a newer one.
  const { readFile } = await import('node:fs/promises');
  for (const f of Object.keys(files) as (keyof typeof files)[]) files[f] = new Uint8Array(await readFile(join(dir, before.manifest.latest, f)));
  await writeCheckpoint(dir, files, { epoch: before.manifest.epoch, batch: 0 });
  const after = await readCheckpoint(dir);
  expect(after.manifest.seq).toBeGreaterThan(before.manifest.seq);
  const left = readdirSync(dir);
  expect(left.filter((e) => e.startsWith('.tmp-'))).toEqual([]);
  expect(left.filter((e) => /^\d{6}-/.test(e)).length).toBeLessThanOrEqual(2);
}

const PHASES = [
  'dir', 'file:model.safetensors:half', 'file:model.safetensors:synced', 'file:optimizer.safetensors:half', 'file:optimizer.safetensors:synced',
  'file:state.json:half', 'file:state.json:synced', 'renamed', 'manifest:written', 'manifest:renamed', 'cleaned',
];
/** Phases after which checkpoint k is the latest (the manifest names it). */
const COMMITTED = new Set(['manifest:renamed', 'cleaned']);

describe('checkpoints survive SIGKILL at any point of a write', () => {
  beforeAll(async () => {
    await setBackend('cpu');
    await prepare();
  });

  it(`killed at each of the ${PHASES.length} stages of writing checkpoint 3 (and of checkpoint 1): the latest loads and is complete`, async () => {
    let kills = 0;
    for (const phase of PHASES) {
      const dir = mkdtempSync(join(tmpdir(), 'cnn-kill-'));
      const r = await runAndKill(dir, 5, `3:${phase}`, 0);
      expect(r.killed).toBe(true);
      kills++;
      expect(await latestEpoch(dir)).toBe(COMMITTED.has(phase) ? 3 : 2);
      await writeAfter(dir);
    }
    for (const phase of ['file:model.safetensors:half', 'manifest:written']) {
      const dir = mkdtempSync(join(tmpdir(), 'cnn-kill-'));
      await runAndKill(dir, 5, `1:${phase}`, 0);
      kills++;
      await expect(readCheckpoint(dir)).rejects.toThrow(/holds no checkpoint/);
    }
    expect(kills).toBe(PHASES.length + 2);
  }, 300_000);

  it('killed at random times during writes (a sleep at every stage): the latest is always the newest complete one', async () => {
    const g = (() => {
      let s = 12345;
      return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    })();
    const latest: number[] = [];
    for (let i = 0; i < 20; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'cnn-kill-'));
      const r = await runAndKill(dir, COUNT, '', 15, Math.floor(g() * 600));
      expect(r.killed).toBe(true);
      const epoch = await latestEpoch(dir);
      // DONE k is printed after the manifest names k; the kill may land after the manifest but before the print.
      expect([r.done, r.done + 1]).toContain(epoch);
      latest.push(epoch);
      await writeAfter(dir);
    }
    expect(new Set(latest).size).toBeGreaterThan(1); // the kills landed in different writes
  }, 300_000);
});
