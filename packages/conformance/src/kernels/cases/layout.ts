/**
 * reduce (every ReduceOpName, contiguous axis runs as core's reduce ops resolve them), transpose (every rank, both
 * dtypes) and oneHot: random shapes, ties, NaN/±inf rows, long reductions, empty and large tensors.
 */
import { kernelOutput, sizeOf, type DType, type ReduceGeometry, type ReduceOpName } from '@cnn/core';
import type { CaseGenerator, KernelCase } from '../types.js';
import { shapeText } from '../types.js';
import { SPECIAL, TIES, UNIFORM, type CaseRandom, type Fill } from '../values.js';
import { randomShape } from './shapes.js';

/** Every reduce op: adding one to ReduceOpName without listing it here is a type error. */
const REDUCE_OPS = { sum: true, max: true, min: true, argmax: true, argmin: true } satisfies Record<ReduceOpName, true>;

/** The [outer, reduce, inner] view of reducing dims first..last of `shape`, as core's reductions build it. */
function reduceGeometry(shape: readonly number[], first: number, last: number): ReduceGeometry {
  return { outer: sizeOf(shape.slice(0, first)), reduce: sizeOf(shape.slice(first, last + 1)), inner: sizeOf(shape.slice(last + 1)) };
}

function reduceCase(op: ReduceOpName, shape: number[], first: number, last: number, fill: Fill, note = ''): KernelCase {
  const geo = reduceGeometry(shape, first, last);
  return {
    name: `reduce ${op} ${shapeText(shape)} dims ${first}..${last} (outer ${geo.outer}, reduce ${geo.reduce}, inner ${geo.inner})${note}`,
    kernel: 'reduce',
    inputs: [{ shape, dtype: 'float32', fill }],
    output: kernelOutput.reduce(op, geo),
    call: (be, [x]) => be.reduce(op, x, geo),
  };
}

function randomReduce(op: ReduceOpName, rng: CaseRandom, fill: Fill, note = ''): KernelCase {
  const shape = randomShape(rng, 1, 4);
  const first = rng.int(0, shape.length - 1);
  const last = rng.int(first, shape.length - 1);
  return reduceCase(op, shape, first, last, fill, note);
}

function transposeCase(shape: number[], perm: number[], dtype: DType, note = ''): KernelCase {
  return {
    name: `transpose ${dtype} ${shapeText(shape)} perm ${shapeText(perm)}${note}`,
    kernel: 'transpose',
    inputs: [{ shape, dtype, fill: dtype === 'int32' ? { kind: 'integers', lo: -1000, hi: 1000 } : UNIFORM }],
    output: kernelOutput.transpose({ shape, dtype }, perm),
    call: (be, [x]) => be.transpose(x, perm),
  };
}

function oneHotCase(n: number, depth: number, dtype: DType, note = ''): KernelCase {
  return {
    name: `oneHot ${dtype} indices [${n}] depth ${depth}${note}`,
    kernel: 'oneHot',
    // Out-of-range indices on both sides: their rows stay zero.
    inputs: [{ shape: [n], dtype, fill: { kind: 'integers', lo: -2, hi: depth + 1 } }],
    output: kernelOutput.oneHot({ shape: [n], dtype }, depth),
    call: (be, [x]) => be.oneHot(x, depth),
  };
}

export const layoutCases: CaseGenerator = (rng) => {
  const cases: KernelCase[] = [];
  for (const op of Object.keys(REDUCE_OPS) as ReduceOpName[]) {
    for (let i = 0; i < 5; i++) cases.push(randomReduce(op, rng, i % 2 ? TIES : UNIFORM));
    cases.push(randomReduce(op, rng, SPECIAL, ' with NaN/±inf'));
    cases.push(randomReduce(op, rng, { kind: 'special', rate: 0.02 }, ' with sparse NaN/±inf'));
    cases.push(reduceCase(op, [3, 5003], 1, 1, UNIFORM, ' (long)'));
    cases.push(reduceCase(op, [2, 1027, 7], 1, 1, TIES, ' (long, strided, ties)'));
    cases.push(reduceCase(op, [37, 130, 230], 1, 1, UNIFORM, ' (large)'));
    cases.push(reduceCase(op, [0, 4, 3], 1, 1, UNIFORM, ' (empty outer)'));
    cases.push(reduceCase(op, [5], 0, 0, UNIFORM, ' (to a scalar)'));
  }
  cases.push(reduceCase('sum', [4, 0, 3], 1, 1, UNIFORM, ' (empty reduce: zeros)'));

  for (let i = 0; i < 12; i++) {
    const shape = randomShape(rng, 1, 6, 6);
    cases.push(transposeCase(shape, rng.permutation(shape.length), i % 3 ? 'float32' : 'int32'));
  }
  cases.push(transposeCase([1030, 1100], [1, 0], 'float32', ' (large)'));
  cases.push(transposeCase([33, 65, 17, 31], [3, 1, 0, 2], 'float32', ' (large)'));
  cases.push(transposeCase([3, 0, 4], [2, 0, 1], 'float32', ' (empty)'));

  for (let i = 0; i < 3; i++) cases.push(oneHotCase(rng.int(1, 40), rng.int(1, 12), 'int32'));
  cases.push(oneHotCase(rng.int(1, 40), rng.int(2, 12), 'float32', ' (integral float indices)'));
  cases.push(oneHotCase(0, 5, 'int32', ' (empty)'));
  cases.push(oneHotCase(100_003, 11, 'int32', ' (large)'));
  return cases;
};
