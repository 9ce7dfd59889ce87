/** The CLI on a model of the user's own architecture (an nn.Sequential saved with saveModel): summary, predict, eval. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { manualSeed, nn, setBackend } from '@cnn/core';
import { MNIST_CLASSES, MNIST_STATS } from '@cnn/models';
import { saveModel } from '@cnn/models/node';
import { inProcess, writeDigitPng } from './in-process.js';

let dir: string;
let png: string;

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(5);
  const root = mkdtempSync(join(tmpdir(), 'cnn-cli-own-'));
  dir = join(root, 'mine');
  const model = new nn.Sequential(
    new nn.Sequential(new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }), new nn.GroupNorm({ numGroups: 2, numChannels: 4 }), new nn.Hardswish()),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Sequential(new nn.Conv2d({ inChannels: 4, outChannels: 8, kernelSize: 3, stride: 2, padding: 1 }), new nn.ReLU6()),
    new nn.GlobalAvgPool2d(),
    new nn.Linear({ inFeatures: 8, outFeatures: 10 }),
  );
  await saveModel(dir, model, { classNames: [...MNIST_CLASSES], inputShape: [1, 28, 28], normalize: { ...MNIST_STATS }, dataset: 'mnist' });
  model.dispose();
  png = join(root, 'digit.png');
  writeDigitPng(png);
});

describe('a saveModel folder of a user architecture (no cnn.json)', () => {
  it('summary --model-dir and --config know every layer; predict and eval run it', async () => {
    const s = await inProcess('summary', '--model-dir', dir);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/Input shape: \[1, 1, 28, 28\]\s+Output shape: \[1, 10\]/);
    expect(s.stdout).toMatch(/0\.1\s+GroupNorm/);
    expect(s.stdout).not.toContain('(?)');
    const params = s.stdout.match(/Total params: ([\d,]+)/)![1];
    const fromConfig = await inProcess('summary', '--config', join(dir, 'config.json'));
    expect(fromConfig.code).toBe(0);
    expect(fromConfig.stdout).toContain(`Total params: ${params}`);
    const p = await inProcess('predict', '--model-dir', dir, '--preprocess', 'resize', png);
    expect(p.code).toBe(0);
    expect(p.lastLine).toMatch(/^prediction: \d \(\d+\.\d%\)$/);
    const e = await inProcess('eval', '--model-dir', dir, '--limit', '16');
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/Sequential from .*mine on 16 mnist test images/);
    const bad = await inProcess('summary', '--model-dir', dir, '--model', 'lenet5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/give one of --model <name>, --model-dir <dir>, --config <config\.json> and --onnx <file\.onnx>/);
  });
});
