/** Shape and layout ops: reshape (shares memory), permute, slicing, padding, broadcasting, concatenation. */
import type { DType } from '../backend/contract.js';
import { fail, fmt, shapeStr } from '../errors.js';
import { sizeOf } from '../geometry/broadcast.js';
import { identityMap, padGeometry2d, PAD_MODES, rangeMap, type GatherGeometry, type PadMode } from '../geometry/gather.js';
import { oneOf } from '../geometry/args.js';
import type { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { assertTensor, backendOf, makeTensor, normDim, record } from './util.js';

/** Same data, new shape (one dimension may be -1). Shares memory with `x`. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  assertTensor('reshape', 'input', x);
  const sh = [...shape];
  const unknown = sh.indexOf(-1);
  if (sh.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) {
    fail('reshape', `shape must be non-negative integers with at most one -1, got ${fmt(shape)}`);
  }
  if (unknown >= 0) {
    const known = sh.reduce((a, d, i) => (i === unknown ? a : a * d), 1);
    if (known === 0 || x.size % known !== 0) fail('reshape', `cannot infer -1 in ${fmt(shape)} for ${x.size} elements (input shape ${shapeStr(x.shape)})`);
    sh[unknown] = x.size / known;
  }
  if (sizeOf(sh) !== x.size) fail('reshape', `shape ${shapeStr(sh)} (${sizeOf(sh)} elements) does not match input shape ${shapeStr(x.shape)} (${x.size} elements)`);
  const b = backendOf('reshape', x);
  const y = makeTensor(b, x.dataId, sh, x.dtype);
  return record(y, 'reshape', [x], (dy) => [reshape(dy, x.shape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.rank === 0) return reshape(x, [1]);
  const s = normDim('flatten', startDim, x.rank);
  const e = normDim('flatten', endDim, x.rank);
  if (s > e) fail('flatten', `startDim ${startDim} must not come after endDim ${endDim} for shape ${shapeStr(x.shape)}`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normDim('squeeze', dim, x.rank);
  if (x.shape[d] !== 1) return reshape(x, x.shape);
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim('unsqueeze', dim, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Values without autograd history, sharing memory. */
export function detach(x: Tensor): Tensor {
  return makeTensor(backendOf('detach', x), x.dataId, x.shape, x.dtype);
}

/** A copy with its own memory; gradients flow through. */
export function clone(x: Tensor): Tensor {
  const b = backendOf('clone', x);
  const y = makeTensor(b, x.dtype === 'float32' ? b.unary('identity', x, []) : b.cast(x, x.dtype), x.shape, x.dtype);
  return record(y, 'clone', [x], (dy) => [dy]);
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return clone(x);
  const b = backendOf('cast', x);
  return makeTensor(b, b.cast(x, dtype), x.shape, dtype);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const perm = dims.map((d) => normDim('permute', d, x.rank));
  if (perm.length !== x.rank || new Set(perm).size !== x.rank) {
    fail('permute', `dims must be a permutation of 0..${x.rank - 1}, got ${fmt(dims)} for shape ${shapeStr(x.shape)}`);
  }
  if (perm.every((p, i) => p === i)) return reshape(x, x.shape);
  const b = backendOf('permute', x);
  const y = makeTensor(b, b.transpose(x, perm), perm.map((p) => x.shape[p]), x.dtype);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return record(y, 'permute', [x], (dy) => [permute(dy, inverse)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normDim('transpose', dim0, x.rank);
  const c = normDim('transpose', dim1, x.rank);
  const perm = [...Array(x.rank).keys()];
  perm[a] = c;
  perm[c] = a;
  return permute(x, perm);
}

/** Runs a gather and records its adjoint as the gradient. `x` is viewed as [outer, inH, inW]. */
export function gatherOp(op: string, x: Tensor, geo: GatherGeometry, outShape: readonly number[], value = 0): Tensor {
  const b = backendOf(op, x);
  const y = makeTensor(b, b.gather(x, geo, value), outShape, x.dtype);
  return record(y, op, [x], (dy) => [makeTensor(b, b.gatherBackward(dy, geo), x.shape)]);
}

const identityCache = new Map<number, Int32Array>();
function identity(n: number): Int32Array {
  let m = identityCache.get(n);
  if (!m) {
    m = identityMap(n);
    if (n <= 1 << 16) identityCache.set(n, m);
  }
  return m;
}

/** Geometry selecting `rows` along `dim` (views x as [before dim, dim, after dim]). */
function alongDim(x: Tensor, dim: number, rows: Int32Array): { geo: GatherGeometry; shape: number[] } {
  const outer = sizeOf(x.shape.slice(0, dim));
  const inner = sizeOf(x.shape.slice(dim + 1));
  const shape = [...x.shape];
  shape[dim] = rows.length;
  return { geo: { outer, inH: x.shape[dim], inW: inner, outH: rows.length, outW: inner, rows, cols: identity(inner) }, shape };
}

/** Elements start, start+step, … < end along `dim` (negative start/end count from the end, as in Python). */
export function slice(x: Tensor, dim: number, start: number, end?: number, step = 1): Tensor {
  assertTensor('slice', 'input', x);
  const d = normDim('slice', dim, x.rank);
  const n = x.shape[d];
  if (!Number.isInteger(step) || step < 1) fail('slice', `step must be an integer ≥ 1, got ${fmt(step)}`);
  const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = norm(start);
  const e = norm(end ?? n);
  const { geo, shape } = alongDim(x, d, rangeMap(s, Math.max(s, e), step));
  return gatherOp('slice', x, geo, shape);
}

/** Repeats size-1 dimensions (and adds leading ones) to reach `shape`. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.rank;
  if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
    fail('broadcastTo', `cannot broadcast shape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  let cur = reshape(x, [...Array(lead).fill(1), ...x.shape]);
  const owned: Tensor[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (cur.shape[d] === shape[d]) continue;
    const { geo, shape: next } = alongDim(cur, d, new Int32Array(shape[d]));
    const nextT = gatherOp('broadcastTo', cur, geo, next);
    // An intermediate in the autograd graph must live as long as the output (disposing it would cut the graph).
    if (cur.requiresGrad) owned.push(cur);
    else cur.dispose();
    cur = nextT;
  }
  return cur.own(...owned);
}

export interface PadOptions {
  mode?: PadMode;
  /** Fill value for 'constant' mode. */
  value?: number;
}

/**
 * Pads the last dimensions, PyTorch style: `pad` is [left, right] (last dim) or [left, right, top, bottom]
 * (last two dims). Modes: constant, reflect, replicate, circular.
 */
export function pad(x: Tensor, pads: readonly number[], opts: PadOptions = {}): Tensor {
  assertTensor('pad', 'input', x);
  const mode = oneOf('pad', 'mode', opts.mode === 'zeros' ? 'constant' : opts.mode, PAD_MODES, 'constant');
  if (!Array.isArray(pads) || (pads.length !== 2 && pads.length !== 4) || !pads.every((p) => Number.isInteger(p))) {
    fail('pad', `pad must be 2 or 4 integers [left, right(, top, bottom)], got ${fmt(pads)}`);
  }
  if (mode !== 'constant' && pads.some((p) => p < 0)) fail('pad', `negative padding is only allowed in 'constant' mode, got ${fmt(pads)} with mode '${mode}'`);
  const value = opts.value ?? 0;
  if (mode !== 'constant' && value !== 0) fail('pad', `value applies to 'constant' mode only, got value ${value} with mode '${mode}'`);
  const need = pads.length / 2;
  if (x.rank < need + 1) fail('pad', `input of shape ${shapeStr(x.shape)} has too few dimensions for pad ${fmt(pads)} (need rank ≥ ${need + 1})`);
  const [left, right, top = 0, bottom = 0] = pads;
  const view = need === 1 ? [...x.shape.slice(0, -1), 1, x.shape[x.rank - 1]] : x.shape;
  const geo = padGeometry2d('pad', view, { top, bottom, left, right }, mode);
  const outShape = need === 1 ? [...x.shape.slice(0, -1), geo.outW] : [...x.shape.slice(0, -2), geo.outH, geo.outW];
  return gatherOp('pad', x, geo, outShape, value);
}

/** Joins tensors along `dim`. Composed from padding, so its gradient is slicing. */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) fail('concat', 'needs a non-empty list of tensors');
  tensors.forEach((t, i) => assertTensor('concat', `tensors[${i}]`, t));
  const first = tensors[0];
  const d = normDim('concat', dim, first.rank);
  tensors.forEach((t: Tensor, i: number) => {
    if (t.rank !== first.rank || t.shape.some((s: number, j: number) => j !== d && s !== first.shape[j])) {
      fail('concat', `tensors[${i}] has shape ${shapeStr(t.shape)}, incompatible with ${shapeStr(first.shape)} along dim ${d}`);
    }
  });
  if (tensors.length === 1) return clone(first);
  const total = tensors.reduce((a, t) => a + t.shape[d], 0);
  let offset = 0;
  let acc: Tensor | null = null;
  for (const t of tensors) {
    const rows = new Int32Array(total).fill(-1);
    for (let i = 0; i < t.shape[d]; i++) rows[offset + i] = i;
    offset += t.shape[d];
    const { geo, shape } = alongDim(t, d, rows);
    const placed = gatherOp('concat', t, geo, shape, 0);
    if (acc) {
      const next: Tensor = add(acc, placed);
      next.own(acc, placed);
      acc = next;
    } else {
      acc = placed;
    }
  }
  return acc!;
}

