// ONNX's own operator tests (onnx/backend/test/data/node, Debian's libonnx-testdata; CI installs it) through
// importOnnx: every test whose operators are all supported must match ONNX's outputs (rtol 1e-3, atol 1e-7, ONNX's
// backend-test default). Data elsewhere: CNN_ONNX_TEST_DATA=<dir>. Backends: CNN_ONNX_BACKENDS (see backends.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperatorTest, type OperatorTestResult } from '../src/conformance/run.js';
import { DEFAULT_TEST_DATA, listOperatorTests } from '../src/conformance/testdata.js';
import { TEST_BACKENDS, useBackend } from './backends.js';

const DATA = process.env.CNN_ONNX_TEST_DATA ?? DEFAULT_TEST_DATA;
const tests = listOperatorTests(DATA);

if (tests.length === 0) {
  console.warn(`ONNX operator tests SKIPPED: no test data at ${DATA} (apt-get install libonnx-testdata, or set CNN_ONNX_TEST_DATA)`);
}

describe.skipIf(tests.length === 0).each(TEST_BACKENDS)(`ONNX operator tests (${DATA}) on %s`, (backend) => {
  const results: OperatorTestResult[] = [];
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => {
    const count = (s: string): number => results.filter((r) => r.status === s).length;
    console.log(`ONNX operator tests on ${backend}: ${count('passed')} passed, ${count('failed')} failed, ${count('unsupported')} unsupported`);
  });
  it('runs every test of a supported operator, and they all pass', async () => {
    for (const t of tests) results.push(await runOperatorTest(t));
    const failures = results.filter((r) => r.status === 'failed').map((r) => `${r.name}: ${r.message}`);
    expect(failures).toEqual([]);
    // The supported operators' tests do run (a broken loader would make everything 'unsupported').
    expect(results.filter((r) => r.status === 'passed').length).toBeGreaterThan(200);
  });
  it('lists each unsupported test with what is out of scope', () => {
    for (const r of results.filter((x) => x.status === 'unsupported')) expect(r.unsupported?.length, r.name).toBeGreaterThan(0);
  });
});

describe.runIf(tests.length === 0)('ONNX operator tests', () => {
  it.skip(`skipped: no test data at ${DATA} (apt-get install libonnx-testdata)`, () => {});
});
