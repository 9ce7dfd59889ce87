import { fail, shapeStr } from '../errors.js';

/** A broadcast binary op: output shape, and each operand's element strides aligned to it (0 where broadcast). */
export interface BroadcastGeometry {
  outShape: number[];
  aStrides: number[];
  bStrides: number[];
  /**
   * The same row-major iteration over the output with as few dims as possible (see `collapseDims`): rank ≥ 1, no
   * size-1 dims unless the output has one element. Backends loop over this, not `outShape`. When both operands are
   * the output's shape, it is `[n]` with strides `[1]` and `[1]`.
   */
  loop: { shape: number[]; aStrides: number[]; bStrides: number[] };
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail(op, `shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Collapses a row-major iteration over `shape`, in which operand k reads element `sum(coord[d] * strides[k][d])`,
 * into the fewest dims that visit the same elements in the same order: size-1 dims are dropped, and dim d is merged
 * into the dim before it wherever every operand steps through the pair as one run (stride[d-1] = stride[d] * size[d];
 * broadcast dims, stride 0, merge with each other). The result has rank ≥ 1: an iteration of one element becomes
 * shape [1] with stride 1 for every operand, so "all strides are 1 on a rank-1 loop" means "every operand is flat".
 */
export function collapseDims(
  shape: readonly number[], strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * size)) {
      outShape[last] *= size;
      for (let k = 0; k < strides.length; k++) outStrides[k][last] = strides[k][d];
      continue;
    }
    outShape.push(size);
    for (let k = 0; k < strides.length; k++) outStrides[k].push(strides[k][d]);
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  return { shape: outShape, strides: outStrides };
}

function alignedStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const own = stridesOf(shape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = rank - shape.length + i;
    out[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : own[i];
  }
  return out;
}

export function broadcastGeometry(op: string, a: readonly number[], b: readonly number[]): BroadcastGeometry {
  const outShape = broadcastShapes(op, a, b);
  const aStrides = alignedStrides(a, outShape);
  const bStrides = alignedStrides(b, outShape);
  const c = collapseDims(outShape, [aStrides, bStrides]);
  return { outShape, aStrides, bStrides, loop: { shape: c.shape, aStrides: c.strides[0], bStrides: c.strides[1] } };
}

/** The axes of `outShape` that `shape` was broadcast along (to sum a gradient back to `shape`). */
export function broadcastedAxes(shape: readonly number[], outShape: readonly number[]): number[] {
  const axes: number[] = [];
  const lead = outShape.length - shape.length;
  for (let i = 0; i < outShape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  return axes;
}
