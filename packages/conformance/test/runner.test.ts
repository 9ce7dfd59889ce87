import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { compareValues, parseConformanceFile, runCase, tensorData, tensorValues, validateCase, type ConformanceCase, type TensorJson } from '../src/index.js';

const repoRoot = resolve(__dirname, '../../..');
const sample = resolve(repoRoot, '../shared/conformance-examples.json');

function reluCase(expected: number[]): ConformanceCase {
  return {
    name: 'relu/mini',
    op: 'relu',
    inputs: { input: { shape: [4], data: [-1, 2, -3, 4] } },
    outputs: [{ shape: [4], data: expected }],
    gradOutputs: [{ shape: [4], data: [1, 1, 1, 1] }],
    grads: { input: { shape: [4], data: [0, 1, 0, 1] } },
    tolerance: { rtol: 1e-4, atol: 1e-5 },
  };
}

describe('compareValues', () => {
  const tol = { rtol: 1e-4, atol: 1e-5 };
  it('accepts |a − e| ≤ atol + rtol·|e| and rejects just beyond', () => {
    expect(compareValues([1.0001], [1], tol)).toBeNull();
    expect(compareValues([1.00012], [1], tol)).not.toBeNull();
  });
  it('never matches NaN, on either side', () => {
    expect(compareValues([NaN], [1], tol)?.badCount).toBe(1);
    expect(compareValues([1], [NaN], tol)?.badCount).toBe(1);
    expect(compareValues([NaN], [NaN], tol)?.maxAbsError).toBe(Infinity);
  });
});

describe('format', () => {
  it('decodes dataB64 (little-endian float32) like data', () => {
    const values = new Float32Array([1.5, -2.25, 3]);
    const b64 = Buffer.from(values.buffer).toString('base64');
    expect(Array.from(tensorValues({ shape: [3], dataB64: b64 }, 't'))).toEqual([1.5, -2.25, 3]);
  });
  it('rejects data that does not fill the shape, and files of another format', () => {
    expect(() => tensorValues({ shape: [2, 2], data: [1, 2, 3] }, 'x')).toThrow(/3 values for shape \[2, 2\]/);
    expect(() => parseConformanceFile('{"format":"other/1","cases":[]}', 'f.json')).toThrow(/not a cnn-conformance\/1 file/);
    expect(() => parseConformanceFile('{', 'f.json')).toThrow(/not valid JSON/);
  });
  it('names unknown ops, inputs and attributes', () => {
    expect(validateCase({ ...reluCase([0, 2, 0, 4]), op: 'conv3d' })).toMatch(/op 'conv3d' is not supported/);
    expect(validateCase({ ...reluCase([0, 2, 0, 4]), attrs: { inplace: true } })).toMatch(/unknown attribute 'inplace' for op 'relu'/);
  });
});

describe('runCase on cpu', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });
  it('passes a correct case and fails a wrong output with its max abs error', async () => {
    expect((await runCase(reluCase([0, 2, 0, 4]))).passed).toBe(true);
    const bad = await runCase(reluCase([0, 2, 0, 4.5]));
    expect(bad.passed).toBe(false);
    expect(bad.failures[0]).toMatchObject({ what: 'outputs[0]' });
    expect(bad.failures[0].message).toMatch(/max abs error 5\.000e-1/);
  });
  it('reports a wrong gradient and a wrong shape', async () => {
    const c = reluCase([0, 2, 0, 4]);
    c.grads!.input.data = [0, 1, 1, 1];
    expect((await runCase(c)).failures.map((f) => f.what)).toEqual(['grads.input']);
    const s = reluCase([0, 2, 0, 4]);
    s.outputs[0].shape = [2, 2];
    expect((await runCase(s)).failures[0].message).toMatch(/shape \[4\], expected \[2, 2\]/);
  });
  it('turns a rejected attribute value into a failure, not a skip', async () => {
    const wrongKind: ConformanceCase = { ...reluCase([0]), op: 'leakyRelu', attrs: { negativeSlope: 'steep' } };
    const r = await runCase(wrongKind);
    expect(r.failures[0]).toMatchObject({ what: 'run' });
    expect(r.failures[0].message).toMatch(/leakyRelu: attribute 'negativeSlope' must be a number, got "steep"/);
    const outOfRange: ConformanceCase = { ...reluCase([0]), op: 'softmax', attrs: { dim: 3 } };
    const lib = await runCase(outOfRange);
    expect(lib.failures[0]).toMatchObject({ what: 'run' });
    expect(lib.failures[0].message).toMatch(/softmax: dim must be an integer in \[-1, 0\], got 3/);
  });
});

describe('int32 tensors', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });
  const argmaxCase = (expected: TensorJson): ConformanceCase => ({
    name: 'argmax/mini',
    op: 'argmax',
    attrs: { dim: 1 },
    inputs: { input: { shape: [2, 3], data: [1, 5, 5, 7, 7, -1] } },
    outputs: [expected],
    tolerance: { rtol: 1, atol: 1 },
  });
  it('decodes int32 data exactly, from data and from dataB64, and refuses non-integers', () => {
    expect(Array.from(tensorData({ shape: [2], dtype: 'int32', data: [2147483647, -2147483648] }, 't'))).toEqual([2147483647, -2147483648]);
    const b64 = Buffer.from(new Int32Array([16777217, -3]).buffer).toString('base64');
    expect(Array.from(tensorData({ shape: [2], dtype: 'int32', dataB64: b64 }, 't'))).toEqual([16777217, -3]);
    expect(() => tensorData({ shape: [1], dtype: 'int32', data: [1.5] }, 't')).toThrow(/t: int32 tensor holds 1.5 at index 0/);
    expect(() => tensorData({ shape: [1], dtype: 'int64' as 'int32', data: [1] }, 't')).toThrow(/dtype "int64" is not supported/);
    expect(() => tensorValues({ shape: [1], dtype: 'int32', data: [1] }, 't')).toThrow(/expected a float32 tensor/);
  });
  it('compares int32 outputs exactly, whatever the tolerance, and checks the dtype', async () => {
    expect((await runCase(argmaxCase({ shape: [2], dtype: 'int32', data: [1, 0] }))).passed).toBe(true);
    const offByOne = await runCase(argmaxCase({ shape: [2], dtype: 'int32', data: [2, 0] }));
    expect(offByOne.failures.map((f) => f.message)).toEqual([expect.stringMatching(/got 1, expected 2/)]);
    const asFloat = await runCase(argmaxCase({ shape: [2], data: [1, 0] }));
    expect(asFloat.failures.map((f) => f.message)).toEqual(['dtype int32, expected float32']);
  });
  it('passes int32 inputs as int32 (cast of 16777217 rounds to 16777216) and refuses gradients for them', async () => {
    const c: ConformanceCase = {
      name: 'cast/mini',
      op: 'cast',
      attrs: { dtype: 'float32' },
      inputs: { input: { shape: [2], dtype: 'int32', data: [16777217, -7] } },
      outputs: [{ shape: [2], data: [16777216, -7] }],
      tolerance: { rtol: 0, atol: 0 },
    };
    expect((await runCase(c)).passed).toBe(true);
    const withGrad = { ...c, gradOutputs: [{ shape: [2], data: [1, 1] }], grads: { input: { shape: [2], data: [1, 1] } } };
    expect(validateCase(withGrad)).toMatch(/gradient for 'input', which is an int32 tensor/);
  });
  it("names concat's inputs when one is missing", async () => {
    const c: ConformanceCase = {
      name: 'concat/gap',
      op: 'concat',
      attrs: { dim: 0 },
      inputs: { input0: { shape: [1], data: [1] }, input2: { shape: [1], data: [2] } },
      outputs: [{ shape: [2], data: [1, 2] }],
    };
    expect((await runCase(c)).failures[0].message).toMatch(/concat: inputs must be named input0, input1 in order, got input0, input2/);
  });
});

describe('pnpm conformance CLI', () => {
  const cli = resolve(__dirname, '../src/cli.ts');
  const run = (args: string[], cwd: string) =>
    spawnSync(resolve(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=source', cli, ...args], {
      cwd,
      env: { ...process.env, INIT_CWD: cwd },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it.runIf(existsSync(sample))('runs the shared sample: 25 passed, 0 failed, exit 0', () => {
    const r = run(['--backend', 'cpu', '--cases', relative(repoRoot, sample)], repoRoot);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('25 passed, 0 failed');
  });

  it('prints one line per failing case, ends with the counts and exits 1; relative paths resolve from the start directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-conf-'));
    const file = {
      format: 'cnn-conformance/1',
      cases: [reluCase([0, 2, 0, 4]), { ...reluCase([0, 2, 0, 4]), name: 'relu/wrong', outputs: [{ shape: [4], data: [0, 2, 0, 5] }] }],
    };
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(file));
    const r = run(['--backend', 'cpu', '--cases', 'cases.json'], dir);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([
      'FAIL relu/wrong outputs[0]: max abs error 1.000e+0 (1 of 4 elements outside tolerance; first at 3: got 4, expected 5)',
    ]);
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('exits 2 with a clear message for an unknown backend', () => {
    const r = run(['--backend', 'nope', '--cases', 'x.json'], repoRoot);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/backend 'nope': cannot load package '@cnn\/backend-nope'/);
  });
});

