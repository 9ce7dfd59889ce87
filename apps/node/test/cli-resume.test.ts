/**
 * `pnpm cnn train` checkpoints and resume (issue 11), in this process: Ctrl-C (SIGINT, emitted when a chosen line is
 * printed) writes a checkpoint and exits 130 with the resume command; `--resume` then ends with weights bit-identical
 * to a run never stopped, at an epoch boundary and mid-epoch, for a classifier and a denoiser. A diverging run stops
 * with epoch, step and learning rate and saves nothing.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSafetensors } from '@cnn/models/node';
import { inProcess, inProcessWatching, type Run } from './in-process.js';

/** inProcess, emitting SIGINT (as Ctrl-C does) once stdout has printed a line matching `at`. */
function interrupted(at: RegExp, ...args: string[]): Promise<Run> {
  let sent = false;
  return inProcessWatching((stdout) => {
    if (!sent && at.test(stdout)) {
      sent = true;
      process.emit('SIGINT');
    }
  }, ...args);
}

async function weights(dir: string): Promise<Record<string, number[]>> {
  const t = await loadSafetensors(join(dir, 'model.safetensors'));
  return Object.fromEntries(Object.entries(t).map(([k, e]) => [k, Array.from(e.data)]));
}

function maxAbsDiff(a: Record<string, number[]>, b: Record<string, number[]>): number {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  let d = 0;
  for (const k of Object.keys(a)) a[k].forEach((v, i) => (d = Math.max(d, Math.abs(v - b[k][i]))));
  return d;
}

const base = mkdtempSync(join(tmpdir(), 'cnn-resume-cli-'));
// 64 images, batch 16: 4 steps an epoch; dropout (lenet5 has none, so mnist-cnn), augmentation and the cosine schedule
// all draw on state that the checkpoint must carry.
const classifier = ['--model', 'mnist-cnn', '--epochs', '2', '--limit', '64', '--batch-size', '16', '--augment', '--seed', '7', '--no-progress', '--log-every', '1'];
const denoiser = ['--model', 'autoencoder', '--epochs', '2', '--limit', '48', '--batch-size', '16', '--noise', '0.3', '--seed', '3', '--no-progress', '--log-every', '1'];

describe('pnpm cnn train: checkpoints, Ctrl-C and --resume', () => {
  const straight: Record<string, { dir: string; run: Run }> = {};
  for (const [name, args] of [['classifier', classifier], ['denoiser', denoiser]] as const) {
    it(`${name}: an uninterrupted run checkpoints every epoch`, async () => {
      const dir = join(base, `${name}-straight`);
      const run = await inProcess('train', ...args, '--out', dir);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const ck = readdirSync(join(dir, 'checkpoints')).sort();
      expect(ck).toEqual(['000001-epoch-0001', '000002-epoch-0002', 'manifest.json']);
      straight[name] = { dir, run };
    }, 120_000);
  }

  const cases: [string, readonly string[], RegExp, string][] = [
    ['classifier', classifier, /^epoch 1\/2 .*$/m, 'epoch 1'], // 1 epoch, stop, resume for the 2nd
    ['classifier', classifier, /^ {2}epoch 2\/2 batch 2\/4 .*$/m, 'step 2/4 of epoch 2'],
    ['denoiser', denoiser, /^ {2}epoch 1\/2 batch 1\/3 .*$/m, 'step 1/3 of epoch 1'],
  ];
  for (const [name, args, at, where] of cases) {
    it(`${name}: Ctrl-C at ${where} checkpoints, exits 130, and --resume ends bit-identical to the straight run`, async () => {
      const dir = join(base, `${name}-${where.replace(/\W+/g, '-')}`);
      const stopped = await interrupted(at, 'train', ...args, '--out', dir);
      expect(stopped.code).toBe(130);
      const ckDir = join(dir, 'checkpoints');
      expect(stopped.stderr).toContain(`error: train: interrupted; checkpoint of ${where}`);
      expect(stopped.stderr).toContain(`Resume with: pnpm cnn train --resume ${ckDir}`);

      const resumed = await inProcess('train', '--resume', dir); // the --out folder works as well as the checkpoint folder
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/^resuming from .* after epoch \d+(, step \d+)?: training/m);
      expect(maxAbsDiff(await weights(dir), await weights(straight[name].dir))).toBe(0);
      expect(resumed.lastLine).toBe(straight[name].run.lastLine); // same test accuracy / PSNR
    }, 120_000);
  }

  it('--resume refuses options that would change the run, and a folder without a checkpoint', async () => {
    const r = await inProcess('train', '--resume', join(base, 'classifier-straight'), '--lr', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume continues the run as it was started; drop --lr/);
    const none = await inProcess('train', '--resume', base);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no checkpoint there/);
  });

  it('a diverging run stops at the first non-finite loss, names epoch, step and learning rate, and saves nothing', async () => {
    const dir = join(base, 'diverged');
    const r = await inProcess('train', '--model', 'lenet5', '--epochs', '2', '--limit', '64', '--batch-size', '16', '--optimizer', 'sgd', '--lr', '1e30', '--lr-schedule', 'none', '--no-progress', '--out', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: train: the loss became (NaN|Infinity|-Infinity) at epoch 1\/2, step \d\/4 \(learning rate 1e\+30\); training stopped\. Try a lower learning rate/);
    expect(r.stderr).toMatch(/With this CLI: --lr 5e\+29 or lower, or --optimizer adam\. No checkpoint was written\./);
    expect(existsSync(join(dir, 'model.safetensors'))).toBe(false);
  }, 60_000);
});
