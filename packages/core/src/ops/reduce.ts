/** Reductions over any set of dimensions, resolved to the backend's one [outer, reduce, inner] kernel. */
import type { Backend, DType, ReduceOpName } from '../backend/contract.js';
import { fail, shapeStr } from '../errors.js';
import { sizeOf } from '../geometry/broadcast.js';
import type { Tensor } from '../tensor.js';
import { binaryRaw, mul, sub, unaryRaw } from './elementwise.js';
import { broadcastTo, reshape } from './shape.js';
import { assertTensor, backendOf, makeTensor, normDim, normDims, record } from './util.js';

function keptShape(shape: readonly number[], axes: readonly number[], keepDim: boolean): number[] {
  return keepDim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Runs one reduction kernel over `axes` (sorted, unique); no autograd. */
function reduceRaw(op: ReduceOpName, x: Tensor, axes: readonly number[], keepDim: boolean): Tensor {
  const b = backendOf(op, x);
  const outShape = keptShape(x.shape, axes, keepDim);
  const dtype = op === 'argmax' || op === 'argmin' ? 'int32' : 'float32';
  if (axes.length === 0) return makeTensor(b, dtype === 'int32' ? b.cast(x, 'int32') : b.unary('identity', x, []), outShape, dtype);
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
  if (contiguous) {
    const first = axes[0];
    const last = axes[axes.length - 1];
    const geo = { outer: sizeOf(x.shape.slice(0, first)), reduce: sizeOf(x.shape.slice(first, last + 1)), inner: sizeOf(x.shape.slice(last + 1)) };
    return makeTensor(b, b.reduce(op, x, geo), outShape, dtype);
  }
  if (op === 'sum' || op === 'max' || op === 'min') return reduceRuns(op, b, x, axes, outShape, dtype);
  // argmax / argmin: move the reduced axes last, then reduce them as one (the index must count over all of them).
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keptAxes, ...axes];
  const moved = makeTensor(b, b.transpose(x, perm), perm.map((p) => x.shape[p]), x.dtype);
  const geo = { outer: sizeOf(keptAxes.map((a) => x.shape[a])), reduce: sizeOf(axes.map((a) => x.shape[a])), inner: 1 };
  const out = makeTensor(b, b.reduce(op, moved, geo), outShape, dtype);
  moved.dispose();
  return out;
}

/**
 * sum / max / min over non-adjacent axes, one reduce kernel per run of adjacent axes, last run first — e.g. a
 * per-channel sum over [0, 2, 3] of NCHW is a sum over H·W, then over N — so the input is read once and never
 * transposed. max and min come out exactly as one reduction would; a sum is added in another order (partial sums
 * per run), which is as accurate.
 */
function reduceRuns(op: ReduceOpName, b: Backend, x: Tensor, axes: readonly number[], outShape: number[], dtype: DType): Tensor {
  const runs: [number, number][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && a === last[1] + 1) last[1] = a;
    else runs.push([a, a]);
  }
  let shape = [...x.shape];
  let cur = x;
  for (let r = runs.length - 1; r >= 0; r--) {
    const [first, last] = runs[r];
    const geo = { outer: sizeOf(shape.slice(0, first)), reduce: sizeOf(shape.slice(first, last + 1)), inner: sizeOf(shape.slice(last + 1)) };
    shape = [...shape.slice(0, first), ...shape.slice(last + 1)];
    const next = makeTensor(b, b.reduce(op, cur, geo), shape, dtype);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  const out = reshape(cur, outShape);
  if (out !== cur) cur.dispose();
  return out;
}

function checkFloatInput(op: string, x: Tensor): void {
  assertTensor(op, 'input', x);
  if (x.dtype !== 'float32') fail(op, `input must be float32, got ${x.dtype}`);
}

/** Broadcasts a reduced gradient back to the input's shape. */
function expandBack(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  const withOnes = reshape(dy, keptShape(x.shape, axes, true));
  const out = broadcastTo(withOnes, x.shape);
  if (out !== withOnes) withOnes.dispose();
  return out;
}

export function sum(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  checkFloatInput('sum', x);
  const axes = normDims('sum', dim, x.rank);
  const y = reduceRaw('sum', x, axes, keepDim);
  return record(y, 'sum', [x], (dy) => [expandBack(dy, x, axes)]);
}

export function mean(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  checkFloatInput('mean', x);
  const axes = normDims('mean', dim, x.rank);
  // Over an empty dimension the sum is 0 and 0 · (1/0) is NaN: torch.mean's answer.
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const s = reduceRaw('sum', x, axes, keepDim);
  const y = unaryRaw('affine', s, [1 / n, 0]);
  s.dispose();
  return record(y, 'mean', [x], (dy) => {
    const scaled = unaryRaw('affine', dy, [1 / n, 0]);
    const g = expandBack(scaled, x, axes);
    if (g !== scaled) scaled.dispose();
    return [g];
  });
}

/**
 * Variance over `dim` (unbiased by default, as torch.var). Composed from differentiable ops. NaN when the divisor
 * (n − 1 unbiased, n biased) is 0, as torch.var: the sum of squares is then 0, and 0 · (1/0) is NaN.
 */
export function variance(x: Tensor, dim?: number | readonly number[], opts: { unbiased?: boolean; keepDim?: boolean } = {}): Tensor {
  checkFloatInput('variance', x);
  const axes = normDims('variance', dim, x.rank);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const m = mean(x, axes, true);
  const centred = sub(x, m);
  const sq = mul(centred, centred);
  const s = sum(sq, axes, opts.keepDim ?? false);
  const out = mul(s, 1 / Math.max(opts.unbiased === false ? n : n - 1, 0));
  return out.own(m, centred, sq, s);
}

function extremum(op: 'max' | 'min', x: Tensor, dim: number | readonly number[] | undefined, keepDim: boolean): Tensor {
  checkFloatInput(op, x);
  const axes = normDims(op, dim, x.rank);
  if (axes.some((a) => x.shape[a] === 0)) fail(op, `cannot reduce an empty dimension (shape ${shapeStr(x.shape)})`);
  const y = reduceRaw(op, x, axes, keepDim);
  // Gradient is shared equally among tied extrema (torch.amax semantics).
  return record(y, op, [x], (dy) => {
    const yb = expandBack(y, x, axes);
    const mask = binaryRaw('eq', x, yb);
    const count = reduceRaw('sum', mask, axes, keepDim);
    const share = binaryRaw('div', dy, count);
    const shareB = expandBack(share, x, axes);
    const g = binaryRaw('mul', shareB, mask);
    [yb, mask, count, share, shareB].forEach((t) => t.dispose());
    return [g];
  });
}

export const max = (x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor => extremum('max', x, dim, keepDim);
export const min = (x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor => extremum('min', x, dim, keepDim);

function argExtremum(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepDim: boolean): Tensor {
  checkFloatInput(op, x);
  // An empty dimension has no index to return (torch raises too); the kernels are never asked.
  if (dim === undefined && x.size === 0) fail(op, `cannot reduce an empty tensor (shape ${shapeStr(x.shape)})`);
  if (dim !== undefined && x.shape[normDim(op, dim, x.rank)] === 0) {
    fail(op, `cannot reduce an empty dimension: dim ${dim} of shape ${shapeStr(x.shape)} has size 0`);
  }
  if (dim === undefined) {
    const flat = reshape(x, [x.size]);
    const r = reduceRaw(op, flat, [0], false);
    flat.dispose();
    return r;
  }
  const d = normDim(op, dim, x.rank);
  return reduceRaw(op, x, [d], keepDim);
}

/** Index of the largest value along `dim` (of the flattened tensor when omitted), int32; first index on ties. */
export const argmax = (x: Tensor, dim?: number, keepDim = false): Tensor => argExtremum('argmax', x, dim, keepDim);
export const argmin = (x: Tensor, dim?: number, keepDim = false): Tensor => argExtremum('argmin', x, dim, keepDim);

