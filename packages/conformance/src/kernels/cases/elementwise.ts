/**
 * unary for every UNARY_OPS entry, binary for every BINARY_OPS entry (broadcasting through core's
 * broadcastGeometry), cast both ways: random shapes, each op's natural domain, NaN/±inf/±0, scalars, empty and large
 * tensors.
 */
import {
  BINARY_OPS, UNARY_OPS, broadcastGeometry, broadcastShapes, kernelOutput, sizeOf, type BinaryOpName, type DType, type UnaryOpName,
} from '@cnn/core';
import type { CaseGenerator, KernelCase } from '../types.js';
import { shapeText } from '../types.js';
import { POSITIVE, SPECIAL, TIES, type CaseRandom, type Fill } from '../values.js';
import { broadcastPair, randomShape } from './shapes.js';

const WIDE: Fill = { kind: 'uniform', lo: -3, hi: 3 };
/** Ops whose real-valued domain is x > 0 (elsewhere they give NaN, which the special-value cases cover). */
const POSITIVE_DOMAIN = new Set<UnaryOpName>(['log', 'sqrt', 'rsqrt']);
const COMPARISONS = new Set<BinaryOpName>(['gt', 'ge', 'lt', 'le', 'eq', 'maximum', 'minimum']);

function unaryParams(op: UnaryOpName, rng: CaseRandom): number[] {
  switch (op) {
    case 'affine':
      return [rng.uniform(-2, 2), rng.uniform(-2, 2)];
    case 'pow':
      return [rng.pick([2, 3, 0.5, -1, 1.5, 0, -2])];
    case 'clamp': {
      const lo = rng.uniform(-1, 0.5);
      return [lo, lo + rng.uniform(0, 1)];
    }
    case 'leakyRelu':
      return [rng.pick([0.01, 0.2, 1.5])];
    case 'elu':
      return [rng.pick([1, 0.5, 2])];
    case 'softplus':
      return [rng.pick([1, 2, 0.5, -1]), rng.pick([20, 1, 0])];
    default:
      return UNARY_OPS[op].params.map(() => rng.uniform(-1, 1));
  }
}

function unaryCase(op: UnaryOpName, shape: number[], fill: Fill, params: number[], dtype: DType = 'float32', note = ''): KernelCase {
  return {
    name: `unary ${op}${params.length ? `(${params.map((p) => +p.toPrecision(4)).join(', ')})` : ''} ${dtype} ${shapeText(shape)}${note}`,
    kernel: 'unary',
    inputs: [{ shape, dtype, fill }],
    output: kernelOutput.unary({ shape, dtype }),
    call: (be, [x]) => be.unary(op, x, params),
  };
}

function binaryCase(op: BinaryOpName, aShape: number[], bShape: number[], fill: Fill, params: number[], note = ''): KernelCase {
  const geo = broadcastGeometry(op, aShape, bShape);
  const bFill = op === 'pow' && fill !== SPECIAL ? WIDE : fill;
  return {
    name: `binary ${op}${params.length ? `(${params.join(', ')})` : ''} ${shapeText(aShape)} ${shapeText(bShape)} → ${shapeText(geo.outShape)}${note}`,
    kernel: 'binary',
    inputs: [
      { shape: aShape, dtype: 'float32', fill: op === 'pow' && fill !== SPECIAL ? POSITIVE : fill },
      { shape: bShape, dtype: 'float32', fill: bFill },
    ],
    output: kernelOutput.binary(geo),
    call: (be, [a, b]) => be.binary(op, a, b, geo, params),
  };
}

function castCase(from: DType, to: DType, shape: number[], fill: Fill): KernelCase {
  return {
    name: `cast ${from} → ${to} ${shapeText(shape)}`,
    kernel: 'cast',
    inputs: [{ shape, dtype: from, fill }],
    output: kernelOutput.cast({ shape, dtype: from }, to),
    call: (be, [x]) => be.cast(x, to),
  };
}

export const elementwiseCases: CaseGenerator = (rng) => {
  const cases: KernelCase[] = [];
  for (const op of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    const domain = POSITIVE_DOMAIN.has(op) ? POSITIVE : op === 'pow' ? POSITIVE : WIDE;
    for (let i = 0; i < 2; i++) cases.push(unaryCase(op, randomShape(rng, 0, 4), domain, unaryParams(op, rng)));
    cases.push(unaryCase(op, randomShape(rng, 1, 3), SPECIAL, unaryParams(op, rng), 'float32', ' with NaN/±inf/±0'));
  }
  for (const op of ['identity', 'neg', 'abs', 'square'] as const) {
    cases.push(unaryCase(op, randomShape(rng, 1, 3), { kind: 'integers', lo: -50, hi: 50 }, [], 'int32'));
  }
  cases.push(unaryCase('relu', [1201, 1001], WIDE, [], 'float32', ' (large)'));
  cases.push(unaryCase('exp', [0], WIDE, [], 'float32', ' (empty)'));
  cases.push(unaryCase('sigmoid', [3, 0, 5], WIDE, [], 'float32', ' (empty)'));

  for (const op of Object.keys(BINARY_OPS) as BinaryOpName[]) {
    const params = BINARY_OPS[op].params.map(() => rng.pick([0.01, 0.5, 1.5]));
    const fill = COMPARISONS.has(op) ? TIES : WIDE;
    for (let i = 0; i < 2; i++) {
      const [a, b] = broadcastPair(rng);
      cases.push(binaryCase(op, a, b, fill, params));
    }
    let [a, b] = broadcastPair(rng);
    // Enough elements for the special values to meet each other.
    while (sizeOf(broadcastShapes(op, a, b)) < 6) [a, b] = broadcastPair(rng);
    cases.push(binaryCase(op, a, b, SPECIAL, params, ' with NaN/±inf/±0'));
  }
  cases.push(binaryCase('add', [1100, 1000], [1000], WIDE, [], ' (large)'));
  cases.push(binaryCase('mul', [517, 1, 2049], [1, 3, 1], WIDE, [], ' (large, both broadcast)'));
  cases.push(binaryCase('sub', [0, 3], [1, 3], WIDE, [], ' (empty)'));
  cases.push(binaryCase('div', [2, 0], [0], WIDE, [], ' (empty)'));
  cases.push(binaryCase('maximum', [], [], WIDE, [], ' (scalars)'));

  for (let i = 0; i < 3; i++) {
    cases.push(castCase('float32', 'int32', randomShape(rng, 1, 4), { kind: 'uniform', lo: -100, hi: 100 }));
    cases.push(castCase('int32', 'float32', randomShape(rng, 1, 4), { kind: 'integers', lo: -100_000, hi: 100_000 }));
  }
  cases.push(castCase('float32', 'float32', randomShape(rng, 1, 3), WIDE));
  cases.push(castCase('int32', 'int32', randomShape(rng, 1, 3), { kind: 'integers', lo: -9, hi: 9 }));
  cases.push(castCase('float32', 'int32', [1030, 1030], { kind: 'uniform', lo: -1e6, hi: 1e6 }));
  cases.push(castCase('float32', 'int32', [0], WIDE));
  return cases;
};
