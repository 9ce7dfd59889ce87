/** `pnpm cnn train --model autoencoder` and `pnpm cnn reconstruct`: a tiny run end to end, in this process. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPng } from '@cnn/models/node';
import { inProcess } from './in-process.js';

const run = inProcess;

describe('pnpm cnn train --model autoencoder / reconstruct', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-ae-'));
  const out = join(dir, 'ae');

  it('trains on a tiny --limit, reports test MSE and PSNR beside the noisy input\'s, and saves a model folder', async () => {
    const r = await run('train', '--model', 'autoencoder', '--limit', '256', '--lr', '0.01', '--noise', '0.4', '--out', out, '--no-progress');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('training autoencoder (13,265 parameters) to denoise 256 mnist images (Gaussian noise std 0.4, clamped to [0, 1]; MSE loss)');
    expect(r.stdout).toMatch(/^epoch 1\/1 {2}loss \d\.\d{4} {2}train psnr \d+\.\d\d dB .* test MSE \d\.\d{5} {2}PSNR \d+\.\d\d dB \(noisy input \d+\.\d\d dB\)$/m);
    expect(r.stdout).toMatch(/^test MSE: \d\.\d{5} on 256 mnist test images \(noisy input: \d\.\d{5}\)$/m);
    const m = /^test PSNR: (\d+\.\d\d) dB \(noisy input: (\d+\.\d\d) dB\)$/.exec(r.lastLine);
    expect(m, r.lastLine).toBeTruthy();
    expect(Number(m![1])).toBeGreaterThan(Number(m![2])); // even 16 steps beat the noisy input
    for (const f of ['config.json', 'model.safetensors', 'cnn.json']) expect(existsSync(join(out, f))).toBe(true);
    const meta = JSON.parse(readFileSync(join(out, 'cnn.json'), 'utf8'));
    expect(meta).toMatchObject({ model: 'autoencoder', task: 'denoise', noise: { std: 0.4, clamp: true }, normalize: null, inputShape: [1, 28, 28] });
    expect(meta.testPsnr).toBeCloseTo(Number(m![1]), 2);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual({ type: 'autoencoder', inChannels: 1, channels: [16, 32], kernelSize: 3, outActivation: 'none' });
  }, 120_000);

  it('reconstruct writes a real PNG grid: one row per image, noisy → reconstruction → original', async () => {
    const png = join(dir, 'grid.png');
    const r = await run('reconstruct', '--model-dir', out, '--out', png, '--count', '5', '--index', '3', '--scale', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 3 tiles of 28·2 px and 4 gaps of 2 px across; 5 rows of 56 px and 6 gaps down.
    const img = await readPng(png);
    expect([img.width, img.height]).toEqual([3 * 56 + 4 * 2, 5 * 56 + 6 * 2]);
    expect(r.stdout).toContain(`wrote ${png} (176×292): 5 mnist/test images from index 3, one per row: noisy input (std 0.4, clamped) → reconstruction → original`);
    expect(r.lastLine).toMatch(/^PSNR of these images: \d+\.\d\d dB \(noisy input: \d+\.\d\d dB\)$/);
    // The original column is the MNIST digit itself: white strokes on black, on a [0, 1] → 0–255 scale.
    const px = (x: number, y: number): number => img.data[4 * (y * img.width + x)];
    let white = 0;
    for (let y = 2; y < 58; y++) for (let x = 2 + 2 * 58; x < 2 + 2 * 58 + 56; x++) if (px(x, y) > 200) white++;
    expect(white).toBeGreaterThan(50);
    // The single model.safetensors works too (noise then defaults to 0.5).
    const r2 = await run('reconstruct', '--model', join(out, 'model.safetensors'), '--out', join(dir, 'g2.png'), '--count', '1');
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('noisy input (std 0.5, clamped)');
  }, 60_000);

  it('clear errors: classifiers in reconstruct, denoisers in eval / predict, --noise on a classifier', async () => {
    const r = await run('eval', '--model-dir', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: eval: .* is a denoising autoencoder, not a classifier/);
    const n = await run('train', '--model', 'lenet5', '--noise', '0.3');
    expect(n.stderr.trim()).toBe('error: train: --noise and --no-clamp are for the denoising models (autoencoder, unet), not lenet5');
    expect(n.code).toBe(2);
    const big = await run('reconstruct', '--model-dir', out, '--index', '9999', '--count', '2');
    expect(big.stderr.trim()).toBe("error: reconstruct: --index 9999 with --count 2 goes past the test split's 10000 images");
  });

  it('summary knows the new models (and their transposed convs)', async () => {
    const r = await run('summary', '--model', 'autoencoder');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/decoder\.0\s+ConvTranspose2d\s+\[1, 16, 14, 14\]\s+8,208\s+401,408\s+14\s+2/);
    expect(r.stdout).toContain('Total params: 13,265');
    const u = await run('summary', '--model', 'unet', '--model-options', '{"upsample":"bilinear"}');
    expect(u.stdout).toMatch(/up2\.0\s+Upsample/);
    expect(u.stdout).not.toContain('(?)');
  });
});
