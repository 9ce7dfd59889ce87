import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const cli = join(root, 'apps/node/src/cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  lastLine: string;
}

/** Runs the CLI as a child process (as `pnpm cnn` does), without blocking the test worker. */
function cnn(...args: string[]): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn(tsx, ['--conditions=source', cli, ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.trimEnd().split('\n');
      done({ code, stdout, stderr, lastLine: lines[lines.length - 1] });
    });
  });
}

/** Runs main() in this process, capturing what it writes. */
async function inProcess(...args: string[]): Promise<Run> {
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

describe('pnpm cnn', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'cnn-cli-')), 'lenet');

  it('train → eval → featuremaps → predict on a tiny MNIST run', async () => {
    const train = await cnn('train', '--model', 'lenet5', '--epochs', '1', '--limit', '256', '--batch-size', '32', '--out', out);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    expect(train.lastLine).toMatch(/^test accuracy: [01]\.\d{4}$/);
    expect(train.stdout).toMatch(/epoch 1\/1 .*test acc/); // one line per epoch when stdout is not a TTY
    for (const f of ['config.json', 'model.safetensors', 'cnn.json']) expect(existsSync(join(out, f))).toBe(true);

    const evalRun = await cnn('eval', '--model-dir', out, '--limit', '256');
    expect(evalRun.code).toBe(0);
    expect(evalRun.lastLine).toBe(train.lastLine); // same model, same 256 test images

    const png = join(out, 'maps.png');
    const maps = await cnn('featuremaps', '--model-dir', out, '--index', '0', '--out', png);
    expect(maps.code).toBe(0);
    expect(existsSync(png)).toBe(true);

    const predict = await cnn('predict', '--model-dir', out, png);
    expect(predict.code).toBe(0);
    expect(predict.lastLine).toMatch(/^prediction: \d \(\d+\.\d%\)$/);
  }, 120_000);

  it('fails with one clear line and a non-zero exit code', async () => {
    const unknown = await cnn('train', '--model', 'nope'); // a real process: exit code and stderr as the user sees them
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe("error: train: unknown model 'nope' (expected one of: lenet5, mnist-cnn, vgg, alexnet, resnet18, mobilenet)");

    const missing = await inProcess('eval', '--model-dir', '/nonexistent/model-dir');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/model folder \/nonexistent\/model-dir does not exist/);

    const bad = await inProcess('train', '--epochs', 'x', '--verbose');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--epochs must be an integer/);
    expect(bad.stderr).toMatch(/\n\s+at /); // --verbose adds the stack
  }, 60_000);

  it('prints help for every command', async () => {
    for (const c of ['train', 'eval', 'predict', 'summary', 'featuremaps']) {
      const r = await inProcess(c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: pnpm cnn ${c}`);
    }
    expect((await inProcess('--help')).stdout).toContain('commands:');
    expect((await inProcess('summary', '--model', 'lenet5')).stdout).toMatch(/Total params: 61,706/);
  }, 60_000);
});
