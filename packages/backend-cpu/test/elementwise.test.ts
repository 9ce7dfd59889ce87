import { describe, expect, it } from 'vitest';
import { BINARY_OPS, UNARY_OPS, broadcastGeometry, type BinaryOpName, type UnaryOpName } from '@cnn/core';
import { expectClose, randArray, rng, setup, size } from './helpers.js';

const PARAMS: Partial<Record<string, number[]>> = {
  affine: [1.5, -0.25], pow: [2.5], clamp: [-0.3, 0.4], leakyRelu: [0.1], elu: [0.7], leakyReluBackward: [0.2], eluBackward: [1.3],
  sqrtAffine: [0.5, 0.01], axpby: [0.9, 0.1], axpbySquare: [0.999, 0.001],
  softplus: [1.5, 2], softplusBackward: [0.5, 1], hardtanhBackward: [-0.5, 1.2],
};

// Positive-only inputs for ops whose domain needs it.
const POSITIVE = new Set(['log', 'sqrt', 'rsqrt', 'pow', 'sqrtAffine']);

describe('unary', () => {
  for (const op of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    it(op, () => {
      const r = rng(op.length);
      const x = POSITIVE.has(op) ? randArray(r, 57, 0.05, 3) : randArray(r, 57, -3, 3);
      x[0] = 0;
      const params = PARAMS[op] ?? [];
      const { be, t, read } = setup();
      const ref = Array.from(x, (v) => Math.fround(UNARY_OPS[op].ref(v, params)));
      expectClose(read(be.unary(op, t(x, [3, 19]), params)), ref, 1e-6, 1e-7, op);
    });
  }
});

describe('binary', () => {
  const shapes: [number[], number[]][] = [
    [[4, 5], [4, 5]],
    [[4, 5], [5]],
    [[4, 1], [1, 5]],
    [[2, 3, 4], [3, 1]],
    [[], [2, 3]],
    [[2, 1, 4, 1], [3, 1, 5]],
    [[1], [1]],
    [[0, 3], [3]],
  ];
  for (const op of Object.keys(BINARY_OPS) as BinaryOpName[]) {
    it(op, () => {
      const r = rng(op.length * 7);
      const params = PARAMS[op] ?? [];
      for (const [sa, sb] of shapes) {
        const geo = broadcastGeometry(op, sa, sb);
        const a = op === 'pow' ? randArray(r, size(sa), 0.1, 2) : randArray(r, size(sa), -2, 2);
        const b = randArray(r, size(sb), -2, 2);
        if (a.length > 1 && b.length > 1) a[1] = b[1]; // exercise equality branches
        const { be, t, read } = setup();
        const out = read(be.binary(op, t(a, sa), t(b, sb), geo, params));
        // Reference: index arithmetic straight from the strides.
        const n = size(geo.outShape);
        const ref = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let rem = i;
          let ai = 0;
          let bi = 0;
          for (let d = geo.outShape.length - 1; d >= 0; d--) {
            const c = rem % geo.outShape[d];
            rem = Math.floor(rem / geo.outShape[d]);
            ai += c * geo.aStrides[d];
            bi += c * geo.bStrides[d];
          }
          ref[i] = Math.fround(BINARY_OPS[op].ref(a[ai], b[bi], params));
        }
        expectClose(out, ref, 1e-6, 1e-7, `${op} ${JSON.stringify([sa, sb])}`);
      }
    });
  }
});

describe('cast', () => {
  it('float32 → int32 truncates toward zero; int32 → float32 is exact', () => {
    const { be, t, read } = setup();
    const f = Float32Array.from([1.7, -1.7, 0.5, -0.5, 3, -3, 1e6]);
    const i = read(be.cast(t(f, [7]), 'int32'));
    expect(i).toBeInstanceOf(Int32Array);
    expect(Array.from(i)).toEqual([1, -1, 0, 0, 3, -3, 1000000]);
    const back = read(be.cast(t(Int32Array.from([5, -2, 0]), [3]), 'float32'));
    expect(back).toBeInstanceOf(Float32Array);
    expect(Array.from(back)).toEqual([5, -2, 0]);
  });
});
