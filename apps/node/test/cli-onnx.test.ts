/** The CLI and ONNX: export a trained model folder, predict / eval / summary on the .onnx file, and bad files. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { setBackend } from '@cnn/core';
import { loadModel } from '@cnn/models/node';
import { exportOnnx, readOnnxInfo } from '@cnn/onnx';
import { inProcess, writeDigitPng } from './in-process.js';

let root: string;
let dir: string;
let png: string;

/** The lines after predict's first (which describes the image): one per class, then the prediction. */
const probabilities = (stdout: string): string[] => stdout.trimEnd().split('\n').filter((l) => /^\s+\S+\s+\d\.\d{4}\s/.test(l) || l.startsWith('prediction:'));

beforeAll(async () => {
  await setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'cnn-cli-onnx-'));
  dir = join(root, 'lenet');
  const train = await inProcess('train', '--model', 'lenet5', '--epochs', '1', '--limit', '256', '--batch-size', '32', '--out', dir);
  expect(train.code).toBe(0);
  png = join(root, 'digit.png');
  writeDigitPng(png);
});

describe('pnpm cnn export / predict / eval / summary with .onnx files', () => {
  it('export writes the model folder as ONNX (atomically, with its metadata); predict and eval on it agree with the folder', async () => {
    const out = join(root, 'onnx', 'lenet.onnx');
    const e = await inProcess('export', '--model-dir', dir, '--out', out, '--opset', '13');
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^wrote .*lenet\.onnx: lenet5 from .*lenet, input \[1, 1, 28, 28\], 10 classes, opset 13, \d+ KiB$/m);
    const err = Number(/within (\S+) \(relative max error\)/.exec(e.stdout)![1]);
    expect(err).toBeLessThanOrEqual(1e-5);
    expect(readdirSync(join(root, 'onnx'))).toEqual(['lenet.onnx']); // no temp file left behind
    const info = readOnnxInfo(new Uint8Array(readFileSync(out)));
    expect(info.opset).toBe(13);
    expect(info.metadata['cnn.model']).toBe('lenet5');
    expect(JSON.parse(info.metadata['cnn.meta'])).toMatchObject({ inputShape: [1, 28, 28], normalize: { mean: 0.1307, std: 0.3081 }, dataset: 'mnist' });

    for (const mode of ['mnist', 'resize']) {
      const a = await inProcess('predict', '--model-dir', dir, '--preprocess', mode, png);
      const b = await inProcess('predict', '--model', out, '--preprocess', mode, png);
      expect(b.code).toBe(0);
      expect(b.lastLine).toMatch(/^prediction: \d \(\d+\.\d%\)$/);
      expect(probabilities(b.stdout)).toEqual(probabilities(a.stdout));
      expect(probabilities(b.stdout)).toHaveLength(11);
    }
    const ea = await inProcess('eval', '--model-dir', dir, '--limit', '32');
    const eb = await inProcess('eval', '--model', out, '--limit', '32');
    expect(eb.code).toBe(0);
    expect(eb.stdout).toContain('exported for batches of 1');
    expect(eb.lastLine).toBe(ea.lastLine);

    const s = await inProcess('summary', '--onnx', out);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^Conv_0\s+Conv\s+\[1, 6, 28, 28\]\s+156$/m);
    expect(s.stdout).toMatch(/^Gemm_\d+\s+Gemm\s+\[1, 10\]\s+840$/m);
    expect(s.stdout).toContain("Input: 'input' [1, 1, 28, 28]   Output: 'output' [1, 10]");
    const own = await inProcess('summary', '--model-dir', dir);
    expect(s.stdout).toContain(own.stdout.match(/Total params: [\d,]+/)![0]);
  });

  it('an ONNX file without cnn metadata: classes by index, pixels as --normalize says', async () => {
    const model = await loadModel(dir);
    const foreign = join(root, 'foreign.onnx');
    writeFileSync(foreign, await exportOnnx(model.eval(), { inputShape: [1, 1, 28, 28] }));
    model.dispose();
    const plain = await inProcess('predict', '--model', foreign, png);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('no cnn metadata in the file: classes are output indices 0…9, pixels fed as v/255 (--normalize to change)');
    const normalized = await inProcess('predict', '--model', foreign, '--normalize', 'mnist', png);
    const folder = await inProcess('predict', '--model-dir', dir, png);
    expect(probabilities(normalized.stdout)).toEqual(probabilities(folder.stdout)); // MNIST's class names are its indices
    const bad = await inProcess('predict', '--model-dir', dir, '--normalize', 'mnist', png);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: predict: --normalize goes with an .onnx model; a cnn model records its own normalisation\n');
    const badValue = await inProcess('predict', '--model', foreign, '--normalize', '0.5', png);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toMatch(/--normalize must be none, mnist, fashion-mnist or <mean>,<std>/);
  });

  it('a bad .onnx file gives one clear error line', async () => {
    const exported = new Uint8Array(readFileSync(join(root, 'onnx', 'lenet.onnx')));
    const cases: [string, Uint8Array, RegExp][] = [
      ['garbage.onnx', new TextEncoder().encode('this is not a model at all, just some text\n'), /^error: cannot load .*garbage\.onnx: not a valid ONNX model \(/],
      ['empty.onnx', new Uint8Array(0), /^error: cannot load .*empty\.onnx: the model file is empty$/],
      ['truncated.onnx', exported.subarray(0, 1000), /^error: cannot load .*truncated\.onnx: not a valid ONNX model \(protobuf decoding failed: /],
      // Same length, so the protobuf stays valid: every Relu node becomes an operator nobody has.
      ['unknown-op.onnx', replaceAscii(exported, 'Relu', 'Relx'), /^error: cannot load .*unknown-op\.onnx: unsupported ONNX operator at opset 13: Relx: 4 nodes \(Relx_1, .*\)$/],
    ];
    for (const [name, bytes, want] of cases) {
      const path = join(root, name);
      writeFileSync(path, bytes);
      for (const args of [['predict', '--model', path, png], ['summary', '--onnx', path]]) {
        const r = await inProcess(...args);
        expect(r.code, `${args.join(' ')}`).toBe(1);
        expect(r.stderr.split('\n').filter((l) => l !== ''), `${args.join(' ')}`).toHaveLength(1);
        expect(r.stderr.trimEnd()).toMatch(want);
      }
    }
    const missing = await inProcess('predict', '--model', join(root, 'nothere.onnx'), png);
    expect(missing.stderr).toMatch(/^error: predict: model file .*nothere\.onnx does not exist\n$/);
    const opset = await inProcess('export', '--model-dir', dir, '--opset', '99');
    expect(opset.code).toBe(2);
    expect(opset.stderr).toMatch(/^error: export: --opset must be from 9 to 18, got '99'$/m);
    const already = await inProcess('export', '--model', join(root, 'onnx', 'lenet.onnx'));
    expect(already.code).toBe(2);
    expect(already.stderr).toMatch(/is already an ONNX file/);
    const maps = await inProcess('featuremaps', '--model', join(root, 'onnx', 'lenet.onnx'));
    expect(maps.code).toBe(2);
    expect(maps.stderr).toMatch(/is an ONNX graph, which has no cnn layers to show/);
  });
});

/** `bytes` with every occurrence of the ASCII string `from` replaced by `to` (same length). */
function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const out = bytes.slice();
  const a = new TextEncoder().encode(from);
  const b = new TextEncoder().encode(to);
  for (let i = 0; i + a.length <= out.length; i++) {
    if (a.every((v, j) => out[i + j] === v)) out.set(b, i);
  }
  return out;
}
