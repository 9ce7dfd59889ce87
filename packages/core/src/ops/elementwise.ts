/** Elementwise arithmetic with broadcasting, and the gradients of each op, written in terms of ops. */
import type { BinaryOpName, UnaryOpName } from '../elementwise.js';
import { fail } from '../errors.js';
import { broadcastGeometry, broadcastedAxes } from '../geometry/broadcast.js';
import type { Tensor } from '../tensor.js';
import { scalar } from './create.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { assertFloat, backendOf, makeTensor, record } from './util.js';

/** Runs a unary kernel; no autograd. */
export function unaryRaw(op: UnaryOpName, x: Tensor, params: readonly number[] = []): Tensor {
  const b = backendOf(op, x);
  return makeTensor(b, b.unary(op, x, params), x.shape);
}

/** Runs a broadcasting binary kernel; no autograd. */
export function binaryRaw(op: BinaryOpName, a: Tensor, c: Tensor, params: readonly number[] = []): Tensor {
  const b = backendOf(op, a, c);
  const geo = broadcastGeometry(op, a.shape, c.shape);
  return makeTensor(b, b.binary(op, a, c, geo, params), geo.outShape);
}

/** Sums a broadcast gradient back down to `shape`. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  const axes = broadcastedAxes(shape, g.shape);
  if (axes.length === 0) return g;
  const s = sum(g, axes, false);
  const r = reshape(s, shape);
  s.dispose();
  return r;
}

type Operand = Tensor | number;

function floatOperand(op: string, name: string, v: Operand): void {
  if (typeof v !== 'number') assertFloat(op, name, v);
}

function unary(op: UnaryOpName, x: Tensor, params: readonly number[], grad: (dy: Tensor, x: Tensor, y: Tensor) => Tensor): Tensor {
  assertFloat(op, 'input', x);
  const y = unaryRaw(op, x, params);
  return record(y, op, [x], (dy) => [grad(dy, x, y)]);
}

export const neg = (x: Tensor): Tensor => unary('neg', x, [], (dy) => unaryRaw('neg', dy));
export const exp = (x: Tensor): Tensor => unary('exp', x, [], (dy, _x, y) => binaryRaw('mul', dy, y));
export const log = (x: Tensor): Tensor => unary('log', x, [], (dy, x) => binaryRaw('div', dy, x));
export const sqrt = (x: Tensor): Tensor =>
  unary('sqrt', x, [], (dy, _x, y) => {
    const t = binaryRaw('div', dy, y);
    const r = unaryRaw('affine', t, [0.5, 0]);
    t.dispose();
    return r;
  });
export const rsqrt = (x: Tensor): Tensor =>
  unary('rsqrt', x, [], (dy, _x, y) => {
    // d/dx x^-1/2 = -1/2 · y³
    const y3 = unaryRaw('pow', y, [3]);
    const t = binaryRaw('mul', dy, y3);
    const r = unaryRaw('affine', t, [-0.5, 0]);
    y3.dispose();
    t.dispose();
    return r;
  });
export const abs = (x: Tensor): Tensor =>
  unary('abs', x, [], (dy, x) => {
    const s = unaryRaw('sign', x);
    const r = binaryRaw('mul', dy, s);
    s.dispose();
    return r;
  });
export const square = (x: Tensor): Tensor =>
  unary('square', x, [], (dy, x) => {
    const t = binaryRaw('mul', dy, x);
    const r = unaryRaw('affine', t, [2, 0]);
    t.dispose();
    return r;
  });
export const reciprocal = (x: Tensor): Tensor =>
  unary('reciprocal', x, [], (dy, _x, y) => {
    const y2 = unaryRaw('square', y);
    const t = binaryRaw('mul', dy, y2);
    const r = unaryRaw('neg', t);
    y2.dispose();
    t.dispose();
    return r;
  });
export const erfOp = (x: Tensor): Tensor =>
  unary('erf', x, [], (dy, x) => {
    // d/dx erf(x) = 2/√π · exp(−x²); every intermediate is ours to free (no tidy runs around a backward).
    const sq = unaryRaw('square', x);
    const negSq = unaryRaw('affine', sq, [-1, 0]);
    const e = unaryRaw('exp', negSq);
    const k = unaryRaw('affine', e, [2 / Math.sqrt(Math.PI), 0]);
    const r = binaryRaw('mul', dy, k);
    [sq, negSq, e, k].forEach((t) => t.dispose());
    return r;
  });
/** x · scale + shift. */
export const affine = (x: Tensor, scale: number, shift = 0): Tensor =>
  unary('affine', x, [scale, shift], (dy) => unaryRaw('affine', dy, [scale, 0]));
export const clamp = (x: Tensor, min = -Infinity, max = Infinity): Tensor =>
  unary('clamp', x, [min, max], (dy, x) => {
    // Gradient flows where min ≤ x ≤ max, as in PyTorch.
    const sMin = scalar(min);
    const sMax = scalar(max);
    const lo = binaryRaw('ge', x, sMin);
    const hi = binaryRaw('le', x, sMax);
    const m = binaryRaw('mul', lo, hi);
    const r = binaryRaw('mul', dy, m);
    [sMin, sMax, lo, hi, m].forEach((t) => t.dispose());
    return r;
  });

function binary(op: BinaryOpName, a: Tensor, b: Tensor, grad: (dy: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  assertFloat(op, 'a', a);
  assertFloat(op, 'b', b);
  const y = binaryRaw(op, a, b);
  return record(y, op, [a, b], (dy) => {
    const [ga, gb] = grad(dy);
    const ra = ga && a.requiresGrad ? sumTo(ga, a.shape) : null;
    const rb = gb && b.requiresGrad ? sumTo(gb, b.shape) : null;
    // Free the unreduced gradients we made; `dy` itself belongs to autograd.
    if (ga && ga !== ra && ga !== dy) ga.dispose();
    if (gb && gb !== rb && gb !== dy && gb !== ga) gb.dispose();
    return [ra, rb];
  });
}

function withScalar(op: string, a: Operand, b: Operand, both: (a: Tensor, b: Tensor) => Tensor, left: (a: Tensor, s: number) => Tensor, right: (s: number, b: Tensor) => Tensor): Tensor {
  floatOperand(op, 'a', a);
  floatOperand(op, 'b', b);
  if (typeof a === 'number' && typeof b === 'number') fail(op, 'at least one operand must be a Tensor');
  if (typeof b === 'number') return left(a as Tensor, b);
  if (typeof a === 'number') return right(a, b);
  return both(a, b);
}

export function add(a: Operand, b: Operand): Tensor {
  return withScalar('add', a, b, (a, b) => binary('add', a, b, (dy) => [dy, dy]), (a, s) => affine(a, 1, s), (s, b) => affine(b, 1, s));
}

export function sub(a: Operand, b: Operand): Tensor {
  return withScalar(
    'sub', a, b,
    (a, b) => binary('sub', a, b, (dy) => [dy, b.requiresGrad ? unaryRaw('neg', dy) : null]),
    (a, s) => affine(a, 1, -s),
    (s, b) => affine(b, -1, s),
  );
}

export function mul(a: Operand, b: Operand): Tensor {
  return withScalar(
    'mul', a, b,
    (a, b) => binary('mul', a, b, (dy) => [a.requiresGrad ? binaryRaw('mul', dy, b) : null, b.requiresGrad ? binaryRaw('mul', dy, a) : null]),
    (a, s) => affine(a, s, 0),
    (s, b) => affine(b, s, 0),
  );
}

export function div(a: Operand, b: Operand): Tensor {
  return withScalar(
    'div', a, b,
    (a, b) =>
      binary('div', a, b, (dy) => {
        const ga = a.requiresGrad ? binaryRaw('div', dy, b) : null;
        let gb: Tensor | null = null;
        if (b.requiresGrad) {
          // -dy · a / b²
          const b2 = unaryRaw('square', b);
          const q = binaryRaw('div', a, b2);
          const t = binaryRaw('mul', dy, q);
          gb = unaryRaw('neg', t);
          [b2, q, t].forEach((x) => x.dispose());
        }
        return [ga, gb];
      }),
    (a, s) => affine(a, 1 / s, 0),
    (s, b) => {
      const r = reciprocal(b);
      return mul(r, s).own(r);
    },
  );
}

export function pow(a: Operand, b: Operand): Tensor {
  return withScalar(
    'pow', a, b,
    (a, b) =>
      binary('pow', a, b, (dy) => {
        let ga: Tensor | null = null;
        let gb: Tensor | null = null;
        if (a.requiresGrad) {
          const bm1 = unaryRaw('affine', b, [1, -1]);
          const p = binaryRaw('pow', a, bm1);
          const t = binaryRaw('mul', p, b);
          ga = binaryRaw('mul', dy, t);
          [bm1, p, t].forEach((x) => x.dispose());
        }
        if (b.requiresGrad) {
          const p = binaryRaw('pow', a, b);
          const l = unaryRaw('log', a);
          const t = binaryRaw('mul', p, l);
          gb = binaryRaw('mul', dy, t);
          [p, l, t].forEach((x) => x.dispose());
        }
        return [ga, gb];
      }),
    (a, s) =>
      unary('pow', a, [s], (dy, x) => {
        const p = unaryRaw('pow', x, [s - 1]);
        const t = binaryRaw('mul', dy, p);
        const r = unaryRaw('affine', t, [s, 0]);
        p.dispose();
        t.dispose();
        return r;
      }),
    (s, b) => {
      const base = scalar(s);
      return pow(base, b).own(base);
    },
  );
}

function minMax(op: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  // As torch: the winner takes dy, a tie gives each operand half, and a NaN on either side passes dy to both (it
  // neither wins nor loses). An operand's share is 1 − [it loses] − ½·[a = b]; comparisons with NaN give 0.
  return binary(op, a, b, (dy) => {
    const tie = binaryRaw('eq', a, b);
    const notTied = unaryRaw('affine', tie, [-0.5, 1]);
    const share = (x: Tensor, other: Tensor): Tensor => {
      const loses = binaryRaw(op === 'maximum' ? 'lt' : 'gt', x, other);
      const w = binaryRaw('sub', notTied, loses);
      const g = binaryRaw('mul', dy, w);
      [loses, w].forEach((t) => t.dispose());
      return g;
    };
    const ga = a.requiresGrad ? share(a, b) : null;
    const gb = b.requiresGrad ? share(b, a) : null;
    [tie, notTied].forEach((t) => t.dispose());
    return [ga, gb];
  });
}
/** Runs `fn` with number operands turned into scalar tensors, disposed afterwards unless the result owns them. */
function withScalars(op: string, a: Operand, b: Operand, fn: (a: Tensor, b: Tensor) => Tensor, ownScalars: boolean): Tensor {
  if (typeof a === 'number' && typeof b === 'number') fail(op, 'at least one operand must be a Tensor');
  const temps: Tensor[] = [];
  const ta = typeof a === 'number' ? (temps[temps.length] = scalar(a)) : a;
  const tb = typeof b === 'number' ? (temps[temps.length] = scalar(b)) : b;
  const out = fn(ta, tb);
  if (ownScalars) out.own(...temps);
  else temps.forEach((t) => t.dispose());
  return out;
}
export const maximum = (a: Operand, b: Operand): Tensor => withScalars('maximum', a, b, (x, y) => minMax('maximum', x, y), true);
export const minimum = (a: Operand, b: Operand): Tensor => withScalars('minimum', a, b, (x, y) => minMax('minimum', x, y), true);

/** Comparisons give 1 or 0 (float32) and have no gradient. */
function compare(op: 'gt' | 'ge' | 'lt' | 'le' | 'eq', a: Operand, b: Operand): Tensor {
  return withScalars(op, a, b, (x, y) => binaryRaw(op, x, y), false);
}
export const gt = (a: Operand, b: Operand): Tensor => compare('gt', a, b);
export const ge = (a: Operand, b: Operand): Tensor => compare('ge', a, b);
export const lt = (a: Operand, b: Operand): Tensor => compare('lt', a, b);
export const le = (a: Operand, b: Operand): Tensor => compare('le', a, b);
export const eq = (a: Operand, b: Operand): Tensor => compare('eq', a, b);
