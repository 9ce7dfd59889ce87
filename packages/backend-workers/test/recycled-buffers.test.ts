// Shared memory of freed outputs is reused without zeroing (src/shared-buffers.ts). That is only right if every
// parallel kernel writes its whole output: here every recycled buffer is filled with NaN before reuse and the whole
// kernel suite runs twice on the pool (the second pass reuses the first pass's sizes), against backend-cpu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '@cnn/backend-cpu';
import { runKernelSuite } from '@cnn/conformance';
import { createWorkersBackend, type WorkersBackend } from '../src/index.js';
import type { SharedBuffers } from '../src/shared-buffers.js';

let be: WorkersBackend;
let buffers: SharedBuffers;
beforeAll(async () => {
  be = await createWorkersBackend({ threads: 2, inlineBelow: 0 }, 'workers-recycling');
  buffers = (be as unknown as { buffers: SharedBuffers }).buffers;
  buffers.onRecycle = (v) => new Float32Array(v.buffer, v.byteOffset, v.length).fill(NaN);
});
afterAll(() => be.dispose());

describe('recycled output buffers', () => {
  it('poisoned with NaN, they change no kernel result (kernel suite twice)', async () => {
    const cpu = new CpuBackend();
    for (let pass = 1; pass <= 2; pass++) {
      const s = await runKernelSuite(be, cpu);
      expect(s.results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.message}`), `pass ${pass}`).toEqual([]);
    }
    expect(buffers.reuses).toBeGreaterThan(100);
    expect(be.memory().numDataIds).toBe(0);
    expect(Number(be.memory().recycledBytes)).toBeGreaterThan(0);
    expect(Number(be.memory().recycledBytes)).toBeLessThanOrEqual(64 << 20);
  }, 120_000);

  it('a model-sized chain reuses its buffers from the second run on', async () => {
    const size = 1 << 20;
    const info = (dataId: object) => ({ dataId, shape: [size], dtype: 'float32' as const });
    const run = async (): Promise<void> => {
      const x = be.write(new Float32Array(size).fill(2), 'float32');
      const a = be.unary('square', info(x), []);
      const b = be.unary('sqrt', info(a), []);
      const got = (await be.read(b)) as Float32Array;
      expect(got[0]).toBe(2);
      expect(got[size - 1]).toBe(2);
      for (const id of [x, a, b]) be.disposeData(id);
    };
    await run();
    const before = buffers.reuses;
    await run();
    expect(buffers.reuses).toBeGreaterThan(before);
  });
});
