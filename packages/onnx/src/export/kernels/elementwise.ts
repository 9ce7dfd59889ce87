/**
 * The elementwise table (core's elementwise.ts) as ONNX: each unary op is one ONNX op or a short composition with
 * the same formula; comparisons give 0/1 floats as the kernels do. Gradient-only ops (…Backward, optimizer updates
 * other than axpby) never run in an eval forward and have no mapping.
 */
import type { BinaryOpName, BroadcastGeometry, DType, TensorInfo, UnaryOpName } from '@cnn/core';
import type { GraphBuilder } from '../graph.js';
import type { Tracer } from '../tracer.js';
import type { Mapped } from './index.js';

/** `op(x)` for a float tensor named x; throws for ops without an ONNX form. */
export function unaryOnnx(g: GraphBuilder, op: UnaryOpName, x: string, p: readonly number[]): string {
  const mulC = (a: string, c: number): string => (c === 1 ? a : g.op('Mul', [a, g.scalar(c)]));
  const addC = (a: string, c: number): string => (c === 0 ? a : g.op('Add', [a, g.scalar(c)]));
  switch (op) {
    case 'identity': return g.op('Identity', [x]);
    case 'neg': return g.op('Neg', [x]);
    case 'abs': return g.op('Abs', [x]);
    case 'sign': return g.op('Sign', [x]);
    case 'exp': return g.op('Exp', [x]);
    case 'log': return g.op('Log', [x]);
    case 'sqrt': return g.op('Sqrt', [x]);
    case 'rsqrt': return g.op('Reciprocal', [g.op('Sqrt', [x])]);
    case 'square': return g.op('Mul', [x, x]);
    case 'reciprocal': return g.op('Reciprocal', [x]);
    case 'affine': {
      const y = addC(mulC(x, p[0]), p[1]);
      return y === x ? g.op('Identity', [x]) : y;
    }
    case 'pow':
      if (p[0] === 0.5) return g.op('Sqrt', [x]);
      if (p[0] === -0.5) return g.op('Reciprocal', [g.op('Sqrt', [x])]);
      return g.op('Pow', [x, g.scalar(p[0])]);
    case 'clamp': return g.clip(x, p[0], p[1]);
    case 'step': return g.boolToFloat(g.op('Greater', [x, g.scalar(0)]));
    case 'relu': return g.op('Relu', [x]);
    case 'leakyRelu': return g.op('LeakyRelu', [x], { alpha: { f: p[0] } });
    case 'elu': return g.op('Elu', [x], { alpha: { f: p[0] } });
    case 'sigmoid': return g.op('Sigmoid', [x]);
    case 'tanh': return g.op('Tanh', [x]);
    case 'erf': return g.op('Erf', [x]);
    case 'gelu': {
      // 0.5 · x · (1 + erf(x / √2)): ONNX's Gelu op is opset 20.
      const e = g.op('Erf', [mulC(x, Math.SQRT1_2)]);
      return g.op('Mul', [mulC(x, 0.5), addC(e, 1)]);
    }
    case 'sqrtAffine': return addC(mulC(g.op('Sqrt', [x]), p[0]), p[1]);
    case 'hardswish':
      if (g.opset >= 14) return g.op('HardSwish', [x]);
      return g.op('Mul', [x, g.op('HardSigmoid', [x], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } })]);
    case 'hardsigmoid': return g.op('HardSigmoid', [x], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } });
    case 'silu': return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'mish': return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x])])]);
    case 'softplus': {
      // log1p(e^(βx)) / β, or x where βx > threshold (torch's softplus).
      const bx = mulC(x, p[0]);
      const soft = mulC(g.op('Softplus', [bx]), 1 / p[0]);
      return g.op('Where', [g.op('Greater', [bx, g.scalar(p[1])]), x, soft]);
    }
    default: throw new Error(`unary op '${op}' has no ONNX form`);
  }
}

export function mapUnary(t: Tracer, op: UnaryOpName, x: TensorInfo, params: readonly number[]): Mapped {
  return { name: unaryOnnx(t.g, op, t.useFloat(x), params) };
}

const SIMPLE_BINARY: Partial<Record<BinaryOpName, string>> = {
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', maximum: 'Max', minimum: 'Min', prelu: 'PRelu',
};

export function mapBinary(t: Tracer, op: BinaryOpName, a: TensorInfo, b: TensorInfo, _geo: BroadcastGeometry, p: readonly number[]): Mapped {
  const g = t.g;
  const x = t.useFloat(a);
  const y = t.useFloat(b);
  const simple = SIMPLE_BINARY[op];
  // PRelu broadcasts its slope one way only (to x's shape), which is how core calls it (b = per-channel weight).
  if (simple) return { name: g.op(simple, [x, y]) };
  const cmp = (opType: string, l: string, r: string): Mapped => ({ name: g.boolToFloat(g.op(opType, [l, r])) });
  switch (op) {
    case 'gt': return cmp('Greater', x, y);
    case 'lt': return cmp('Less', x, y);
    case 'eq': return cmp('Equal', x, y);
    // GreaterOrEqual / LessOrEqual are opset 12; before, the negated strict comparison (same except at NaN).
    case 'ge': return g.opset >= 12 ? cmp('GreaterOrEqual', x, y) : { name: g.boolToFloat(g.op('Not', [g.op('Less', [x, y])])) };
    case 'le': return g.opset >= 12 ? cmp('LessOrEqual', x, y) : { name: g.boolToFloat(g.op('Not', [g.op('Greater', [x, y])])) };
    case 'mask': {
      const keep = g.op('Not', [g.op('Equal', [y, g.scalar(0)])]);
      return { name: g.op('Where', [keep, x, g.scalar(0)]) };
    }
    case 'axpby': return { name: g.op('Add', [g.op('Mul', [x, g.scalar(p[0])]), g.op('Mul', [y, g.scalar(p[1])])]) };
    default: throw new Error(`binary op '${op}' has no ONNX form (it is only used by gradients and optimizers)`);
  }
}

export function mapCast(t: Tracer, x: TensorInfo, dtype: DType): Mapped {
  return { name: t.g.op('Cast', [t.use(x)], { to: { i: dtype === 'int32' ? 6 : 1 } }) };
}
