// Large elementwise ops on the pool (kernels/Elementwise.ts): unary ops and equal-shape binary ops, cut into ranges
// across 2 threads, must give backend-cpu's results bit for bit (the same compiled loop body), NaN and ±inf
// included; broadcasting, int32 and small ops stay inline and agree too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY_OPS, UNARY_OPS, broadcastGeometry, type BinaryOpName, type DataId, type TensorInfo, type UnaryOpName } from '@cnn/core';
import { createWorkersBackend, type WorkersBackend } from '../src/index.js';
import { cpu, randomArray } from './helpers.js';

let be: WorkersBackend;
/** Kernels sent to the pool, by name (the backend's private pool, spied on). */
const sent: string[] = [];
beforeAll(async () => {
  // The default threshold: ops of 2^17 elements and more go to the pool.
  be = await createWorkersBackend({ threads: 2 });
  const pool = (be as unknown as { pool: { run: (kernel: string, ...rest: unknown[]) => Promise<void> } }).pool;
  const run = pool.run.bind(pool);
  pool.run = (kernel, ...rest) => (sent.push(kernel), run(kernel, ...rest));
});
afterAll(() => be.dispose());

const N = (1 << 17) + 37; // not a multiple of the 16-element range alignment

function values(seed: number, scale = 3): Float32Array {
  const v = randomArray(N, seed).map((x) => x * scale);
  // Special values at both ends of the ranges and in the middle.
  for (const [i, s] of [[0, NaN], [1, Infinity], [2, -Infinity], [3, -0], [N >> 1, NaN], [N - 1, Infinity], [N - 2, 0]] as const) v[i] = s;
  return v;
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function read(id: DataId): Promise<Float32Array> {
  const v = (await be.read(id)) as Float32Array;
  be.disposeData(id);
  return v;
}

const info = (dataId: DataId, shape: number[]): TensorInfo => ({ dataId, shape, dtype: 'float32' });

describe('elementwise ops on the pool', () => {
  const unaryParams: Partial<Record<UnaryOpName, number[]>> = { clamp: [-1, 2], leakyRelu: [0.1], elu: [1.5], affine: [0.5, -2], pow: [3] };
  for (const op of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    it(`unary ${op}: bit-identical to backend-cpu`, async () => {
      const x = values(7);
      const params = unaryParams[op] ?? UNARY_OPS[op].params.map(() => 0.5);
      const xi = be.write(x, 'float32');
      const got = await read(be.unary(op, info(xi, [N]), params));
      be.disposeData(xi);
      expect(sent.pop()).toBe('elementwise');
      const ci = cpu.write(x, 'float32');
      const want = (await cpu.read(cpu.unary(op, info(ci, [N]), params))) as Float32Array;
      expect(bitsEqual(got, want), op).toBe(true);
    });
  }

  for (const op of Object.keys(BINARY_OPS) as BinaryOpName[]) {
    it(`binary ${op}, equal shapes: bit-identical to backend-cpu`, async () => {
      const [a, b] = [values(3), values(11, 2)];
      const params = BINARY_OPS[op].params.map(() => 0.25);
      const geo = broadcastGeometry(op, [N], [N]);
      const [ai, bi] = [be.write(a, 'float32'), be.write(b, 'float32')];
      const got = await read(be.binary(op, info(ai, [N]), info(bi, [N]), geo, params));
      be.disposeData(ai);
      be.disposeData(bi);
      expect(sent.pop()).toBe('elementwise');
      const [ca, cb] = [cpu.write(a, 'float32'), cpu.write(b, 'float32')];
      const want = (await cpu.read(cpu.binary(op, info(ca, [N]), info(cb, [N]), geo, params))) as Float32Array;
      expect(bitsEqual(got, want), op).toBe(true);
    });
  }

  it('a chain of pool ops, a broadcast op (inline) and a read in between keep program order', async () => {
    const rows = 512;
    const cols = 300;
    const x = values(5).subarray(0, rows * cols);
    const bias = randomArray(cols, 9);
    const xi = be.write(x, 'float32');
    const r = be.unary('relu', info(xi, [rows, cols]), []);
    const bi = be.write(bias, 'float32');
    const s = be.binary('add', info(r, [rows, cols]), info(bi, [cols]), broadcastGeometry('add', [rows, cols], [cols]), []);
    const m = be.binary('mul', info(s, [rows, cols]), info(r, [rows, cols]), broadcastGeometry('mul', [rows, cols], [rows, cols]), []);
    for (const id of [xi, bi, r, s]) be.disposeData(id);
    const got = await read(m);
    const want = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const rv = Math.fround(x[i * cols + j] < 0 ? 0 : x[i * cols + j]);
        want[i * cols + j] = Math.fround(Math.fround(rv + bias[j]) * rv);
      }
    }
    expect(bitsEqual(got, want)).toBe(true);
    expect(sent.splice(0)).toEqual(['elementwise', 'elementwise']); // relu and mul; the broadcast add ran inline
    expect(be.memory().numDataIds).toBe(0);
  });
});
