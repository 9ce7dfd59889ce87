/**
 * matmul in every layout (transA × transB) and batch broadcast (none, A, B), geometry built as core's matmul builds
 * it from 3-D operands; each product also runs the two products its gradient is made of. Shapes: odd, multiples of 4
 * (tiled gpu paths), long inner dims, k = 0, single rows and columns, and the ones of the former workers and gpu
 * harnesses.
 */
import { kernelOutput, type MatMulGeometry } from '@cnn/core';
import type { CaseGenerator, KernelCase } from '../types.js';
import { shapeText } from '../types.js';
import { SPECIAL, UNIFORM, fanIn, type CaseRandom } from '../values.js';

type Shape3 = [number, number, number];

/** As core's mm: op(A)·op(B) of [batch or 1, rows, cols] operands, batch-1 operands broadcast. */
function mmGeometry(a: Shape3, b: Shape3, transA: boolean, transB: boolean): MatMulGeometry {
  const m = transA ? a[2] : a[1];
  const k = transA ? a[1] : a[2];
  const n = transB ? b[1] : b[2];
  const batch = Math.max(a[0], b[0]);
  return { batch, m, n, k, transA, transB, broadcastA: a[0] === 1 && batch > 1, broadcastB: b[0] === 1 && batch > 1 };
}

function matmulCase(a: Shape3, b: Shape3, transA: boolean, transB: boolean, note = '', special = false): KernelCase {
  const geo = mmGeometry(a, b, transA, transB);
  const layout = `${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}${geo.broadcastA ? ' broadcast A' : ''}${geo.broadcastB ? ' broadcast B' : ''}`;
  return {
    name: `matmul ${layout} a ${shapeText(a)} b ${shapeText(b)} (batch ${geo.batch}, m ${geo.m}, n ${geo.n}, k ${geo.k})${note}`,
    kernel: 'matmul',
    inputs: [
      { shape: a, dtype: 'float32', fill: special ? SPECIAL : UNIFORM },
      { shape: b, dtype: 'float32', fill: special ? SPECIAL : fanIn(geo.k) },
    ],
    output: kernelOutput.matmul(geo),
    call: (be, [x, y]) => be.matmul(x, y, geo),
  };
}

/** A stored-layout operand for op(X) of size rows × cols. */
function stored(batch: number, rows: number, cols: number, trans: boolean): Shape3 {
  return trans ? [batch, cols, rows] : [batch, rows, cols];
}

/** The product and the two products of its gradient, as core's mm backward calls them. */
function withGradients(batchA: number, batchB: number, m: number, k: number, n: number, transA: boolean, transB: boolean, note = ''): KernelCase[] {
  const a = stored(batchA, m, k, transA);
  const b = stored(batchB, k, n, transB);
  const dy: Shape3 = [Math.max(batchA, batchB), m, n];
  const gradA = transA ? matmulCase(b, dy, transB, true, `${note} (∂A)`) : matmulCase(dy, b, false, !transB, `${note} (∂A)`);
  const gradB = transB ? matmulCase(dy, a, true, transA, `${note} (∂B)`) : matmulCase(a, dy, !transA, false, `${note} (∂B)`);
  return [matmulCase(a, b, transA, transB, note), gradA, gradB];
}

function dim(rng: CaseRandom): number {
  return rng.pick([1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 31, 33]);
}

export const matmulCases: CaseGenerator = (rng) => {
  const cases: KernelCase[] = [];
  // Every layout × every batch broadcast, random sizes.
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const [ba, bb] of [[1, 1], [3, 3], [1, 4], [2, 1]]) {
        cases.push(...withGradients(ba, bb, dim(rng), dim(rng), dim(rng), transA, transB));
      }
    }
  }
  // The former workers harness (SIMD and JavaScript paths).
  cases.push(...withGradients(1, 1, 37, 41, 29, false, false));
  cases.push(...withGradients(1, 1, 20, 18, 33, true, false));
  cases.push(...withGradients(1, 1, 5, 300, 130, false, true, ' (wide)'));
  cases.push(...withGradients(1, 1, 13, 270, 9, true, true));
  cases.push(...withGradients(4, 1, 9, 11, 6, false, true));
  cases.push(...withGradients(3, 1, 7, 5, 12, false, false));
  // The former gpu harness (tiled paths: widths multiple of 4, long reductions).
  cases.push(...withGradients(1, 1, 5, 7, 8, false, false));
  cases.push(...withGradients(1, 1, 5, 7, 12, true, false));
  cases.push(...withGradients(1, 1, 5, 7, 16, false, true));
  cases.push(...withGradients(1, 1, 6, 12, 8, false, false));
  cases.push(...withGradients(3, 3, 6, 70, 4, false, false));
  cases.push(...withGradients(3, 3, 6, 70, 4, true, true));
  cases.push(...withGradients(6, 1, 5, 9, 20, false, false));
  cases.push(...withGradients(1, 2, 9, 130, 12, false, false));
  cases.push(...withGradients(2, 1, 5, 68, 16, false, false));
  cases.push(...withGradients(1, 2, 8, 72, 4, true, true));
  cases.push(...withGradients(1, 1, 7, 260, 20, false, false));
  // Edges.
  cases.push(matmulCase([1, 3, 0], [1, 0, 4], false, false, ' (k = 0: zeros)'));
  cases.push(matmulCase([1, 0, 5], [1, 5, 3], false, false, ' (m = 0: empty)'));
  cases.push(matmulCase([2, 1, 9], [2, 9, 1], false, false, ' (row · column)'));
  cases.push(matmulCase([1, 1000, 1031], [1, 1031, 3], false, false, ' (large operand, long k)'));
  cases.push(matmulCase([1, 5, 7], [1, 7, 6], false, false, ' with NaN/±inf', true));
  return cases;
};
