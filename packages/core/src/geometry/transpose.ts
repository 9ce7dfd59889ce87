import { collapseDims, stridesOf } from './broadcast.js';

/** An axis permutation as a strided walk: the output is written in order while the input is read through strides. */
export interface TransposeGeometry {
  /** `outShape[i] = shape[perm[i]]`. */
  outShape: number[];
  /** The input's element stride along each output axis. */
  inStrides: number[];
  /** The same walk with as few dims as possible (`collapseDims`): axes that stay in order merge, size-1 axes drop. A
   * permutation that moves only size-1 axes becomes `[n]` with stride `[1]`, a plain copy. */
  loop: { shape: number[]; strides: number[] };
}

/** Resolves `transpose(x, perm)` for x of shape `shape` (perm already validated by the op). */
export function transposeGeometry(shape: readonly number[], perm: readonly number[]): TransposeGeometry {
  const own = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const inStrides = perm.map((p) => own[p]);
  const c = collapseDims(outShape, [inStrides]);
  return { outShape, inStrides, loop: { shape: c.shape, strides: c.strides[0] } };
}
