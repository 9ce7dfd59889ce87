import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resizeBilinear } from '@cnn/models';
import { encodePng, loadMnist, loadSafetensors, saveSafetensors } from '@cnn/models/node';
import { inProcess, type Run } from './in-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const cli = join(root, 'apps/node/src/cli.ts');


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

/** An MNIST test image as a PNG: either as is (28×28, white on black) or as a "photo" — upscaled ×scale, dark ink on
 * light grey paper, at (x, y) on a bigger page. */
function digitPng(index: number, photo?: { scale: number; width: number; height: number; x: number; y: number }): Uint8Array {
  const test = loadMnist({ split: 'test' });
  const digit = Float32Array.from(test.images.subarray(index * 784, (index + 1) * 784));
  const { scale = 1, width = 28, height = 28, x = 0, y = 0 } = photo ?? {};
  const s = 28 * scale;
  const big = resizeBilinear(digit, 28, 28, s, s);
  const data = new Uint8Array(width * height * 4);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const inside = px >= x && py >= y && px < x + s && py < y + s;
      const ink = inside ? big[(py - y) * s + (px - x)] / 255 : 0;
      const v = photo ? 215 - ink * 180 : ink * 255;
      data.set([v, v, v, 255], 4 * (py * width + px));
    }
  }
  return encodePng({ width, height, data });
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

  it('predict prepares a small off-centre photo of a digit as MNIST was made; a single .safetensors file is a whole model', async () => {
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true); // trained by the first test
    const photo = join(out, 'photo.png');
    const plain = join(out, 'plain.png');
    writeFileSync(photo, digitPng(0, { scale: 3, width: 240, height: 180, x: 150, y: 20 }));
    writeFileSync(plain, digitPng(0));

    const p = await inProcess('predict', '--model-dir', out, photo);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const m = /ink at x (\d+), y (\d+), (\d+)×(\d+), dark on light → inverted; MNIST-style 28×28/.exec(p.stdout);
    expect(m).not.toBeNull();
    const [x, y, w, h] = m!.slice(1).map(Number);
    // The ink lies inside the 84×84 square the digit was drawn in, and fills most of its height (MNIST digits are ~20 of 28 px tall).
    expect(x).toBeGreaterThanOrEqual(150);
    expect(y).toBeGreaterThanOrEqual(20);
    expect(x + w).toBeLessThanOrEqual(234);
    expect(y + h).toBeLessThanOrEqual(104);
    expect(h).toBeGreaterThan(50);
    const q = await inProcess('predict', '--model-dir', out, plain);
    expect(q.lastLine).toMatch(/^prediction: \d \(\d+\.\d%\)$/);
    const top = (r: Run): [string, number] => {
      const line = r.stdout.split('\n').find((l) => /^ {2}\d {2}\d\.\d{4}/.test(l))!;
      return [line.trim().split(/\s+/)[0], Number(line.trim().split(/\s+/)[1])];
    };
    expect(top(p)[0]).toBe(top(q)[0]); // the photo and the MNIST image itself get the same answer, with close confidence
    expect(Math.abs(top(p)[1] - top(q)[1])).toBeLessThan(0.15);
    const resized = await inProcess('predict', '--model-dir', out, '--preprocess', 'resize', photo);
    expect(resized.code).toBe(0);
    expect(resized.stdout).toMatch(/240×180 resized to 28×28, inverted/);

    // The single-file form: model.safetensors alone (it embeds the architecture and the metadata).
    const file = join(out, 'model.safetensors');
    const single = await inProcess('predict', '--model', file, photo);
    expect(single.code).toBe(0);
    expect(single.lastLine).toBe(p.lastLine);
    const evalDir = await inProcess('eval', '--model-dir', out, '--limit', '100');
    const evalFile = await inProcess('eval', '--model', file, '--limit', '100');
    expect(evalFile.code).toBe(0);
    expect(evalFile.stdout).toMatch(/^lenet5 from .*model\.safetensors on 100 mnist test images/);
    expect(evalFile.lastLine).toBe(evalDir.lastLine);
    const maps = await inProcess('featuremaps', '--model', file, '--out', join(out, 'maps-file.png'));
    expect(maps.code).toBe(0);
    expect(existsSync(join(out, 'maps-file.png'))).toBe(true);

    // A .safetensors without the embedded architecture needs --config.
    const bare = join(out, 'bare.safetensors');
    await saveSafetensors(bare, await loadSafetensors(file));
    const noConfig = await inProcess('predict', '--model', bare, photo);
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/cannot load .*bare\.safetensors: model file: the file has no embedded architecture .*pass it with --config <config\.json>/);
    const withConfig = await inProcess('predict', '--model', bare, '--config', join(out, 'config.json'), photo);
    expect(withConfig.code).toBe(0);
    expect(withConfig.lastLine).toBe(p.lastLine); // no cnn.meta: MNIST defaults (classes 0–9, MNIST normalisation)

    // Clear errors for the wrong file or flags.
    const png = await inProcess('eval', '--model', photo);
    expect(png.code).toBe(1);
    expect(png.stderr.trim()).toBe(`error: cannot load ${photo}: model file: this is a PNG image, not a .safetensors model`);
    expect((await inProcess('predict', '--model', file, '--model-dir', out, photo)).stderr).toMatch(/give either --model-dir <dir> or --model <file\.safetensors>, not both/);
    expect((await inProcess('predict', photo)).stderr).toMatch(/predict: --model-dir <dir> or --model <file\.safetensors> is required/);
    expect((await inProcess('predict', '--model', out, photo)).stderr).toMatch(/is a folder; use --model-dir/);
    expect((await inProcess('predict', '--model', join(out, 'nope.safetensors'), photo)).stderr).toMatch(/model file .*nope\.safetensors does not exist/);
    expect((await inProcess('predict', '--model', file, '--preprocess', 'crop', photo)).stderr).toMatch(/unknown preprocess mode 'crop' \(expected one of: mnist, resize\)/);
    const blank = join(out, 'blank.png');
    writeFileSync(blank, encodePng({ width: 50, height: 50, data: new Uint8Array(50 * 50 * 4).fill(255) }));
    expect((await inProcess('predict', '--model', file, blank)).stderr).toMatch(/predict: no ink found in .*blank\.png \(50×50\)/);
  }, 120_000);

  it('fails with one clear line and a non-zero exit code', async () => {
    const unknown = await cnn('train', '--model', 'nope'); // a real process: exit code and stderr as the user sees them
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe("error: train: unknown model 'nope' (expected one of: lenet5, mnist-cnn, vgg, alexnet, resnet18, mobilenet, autoencoder, unet)");

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
