/**
 * The elementwise op table: one declaration per op, shared by every backend. `expr` is a JavaScript expression over
 * `x` (unary) or `a`, `b` (binary), the op's numeric parameters `p0`, `p1`, `Math.*` and the helper `erf(x)`
 * (see ./math.ts). The CPU backends compile it into a loop; the GPU backend translates it into a shader expression.
 * `ref` is the same function, for reference implementations and tests.
 */
import { erf } from './math.js';

export interface UnaryOpDef {
  expr: string;
  params: readonly string[];
  ref: (x: number, p: readonly number[]) => number;
}

export interface BinaryOpDef {
  expr: string;
  params: readonly string[];
  ref: (a: number, b: number, p: readonly number[]) => number;
}

const INV_SQRT_2PI = 0.3989422804014327;

export const UNARY_OPS = {
  identity: { expr: 'x', params: [], ref: (x) => x },
  neg: { expr: '-x', params: [], ref: (x) => -x },
  abs: { expr: 'Math.abs(x)', params: [], ref: (x) => Math.abs(x) },
  sign: { expr: 'Math.sign(x)', params: [], ref: (x) => Math.sign(x) },
  exp: { expr: 'Math.exp(x)', params: [], ref: (x) => Math.exp(x) },
  log: { expr: 'Math.log(x)', params: [], ref: (x) => Math.log(x) },
  sqrt: { expr: 'Math.sqrt(x)', params: [], ref: (x) => Math.sqrt(x) },
  rsqrt: { expr: '1 / Math.sqrt(x)', params: [], ref: (x) => 1 / Math.sqrt(x) },
  square: { expr: 'x * x', params: [], ref: (x) => x * x },
  reciprocal: { expr: '1 / x', params: [], ref: (x) => 1 / x },
  /** x · scale + shift: scalar arithmetic without a scalar tensor. */
  affine: { expr: 'x * p0 + p1', params: ['scale', 'shift'], ref: (x, p) => x * p[0] + p[1] },
  pow: { expr: 'Math.pow(x, p0)', params: ['exponent'], ref: (x, p) => Math.pow(x, p[0]) },
  clamp: { expr: 'Math.min(Math.max(x, p0), p1)', params: ['min', 'max'], ref: (x, p) => Math.min(Math.max(x, p[0]), p[1]) },
  step: { expr: 'x > 0 ? 1 : 0', params: [], ref: (x) => (x > 0 ? 1 : 0) },
  relu: { expr: 'x > 0 ? x : 0', params: [], ref: (x) => (x > 0 ? x : 0) },
  leakyRelu: { expr: 'x > 0 ? x : p0 * x', params: ['negativeSlope'], ref: (x, p) => (x > 0 ? x : p[0] * x) },
  elu: { expr: 'x > 0 ? x : p0 * (Math.exp(x) - 1)', params: ['alpha'], ref: (x, p) => (x > 0 ? x : p[0] * (Math.exp(x) - 1)) },
  sigmoid: { expr: '1 / (1 + Math.exp(-x))', params: [], ref: (x) => 1 / (1 + Math.exp(-x)) },
  tanh: { expr: 'Math.tanh(x)', params: [], ref: (x) => Math.tanh(x) },
  erf: { expr: 'erf(x)', params: [], ref: (x) => erf(x) },
  /** Exact GELU, x·Φ(x), as torch.nn.functional.gelu with approximate='none'. */
  gelu: { expr: '0.5 * x * (1 + erf(x * Math.SQRT1_2))', params: [], ref: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)) },
} satisfies Record<string, UnaryOpDef>;

export const BINARY_OPS = {
  add: { expr: 'a + b', params: [], ref: (a, b) => a + b },
  sub: { expr: 'a - b', params: [], ref: (a, b) => a - b },
  mul: { expr: 'a * b', params: [], ref: (a, b) => a * b },
  div: { expr: 'a / b', params: [], ref: (a, b) => a / b },
  pow: { expr: 'Math.pow(a, b)', params: [], ref: (a, b) => Math.pow(a, b) },
  maximum: { expr: 'Math.max(a, b)', params: [], ref: (a, b) => Math.max(a, b) },
  minimum: { expr: 'Math.min(a, b)', params: [], ref: (a, b) => Math.min(a, b) },
  gt: { expr: 'a > b ? 1 : 0', params: [], ref: (a, b) => (a > b ? 1 : 0) },
  ge: { expr: 'a >= b ? 1 : 0', params: [], ref: (a, b) => (a >= b ? 1 : 0) },
  lt: { expr: 'a < b ? 1 : 0', params: [], ref: (a, b) => (a < b ? 1 : 0) },
  le: { expr: 'a <= b ? 1 : 0', params: [], ref: (a, b) => (a <= b ? 1 : 0) },
  eq: { expr: 'a === b ? 1 : 0', params: [], ref: (a, b) => (a === b ? 1 : 0) },
  // Fused activation backward ops: a = upstream gradient, b = the activation's input (x) or output (y).
  reluBackward: { expr: 'b > 0 ? a : 0', params: [], ref: (a, b) => (b > 0 ? a : 0) },
  leakyReluBackward: { expr: 'b > 0 ? a : a * p0', params: ['negativeSlope'], ref: (a, b, p) => (b > 0 ? a : a * p[0]) },
  eluBackward: { expr: 'b > 0 ? a : a * p0 * Math.exp(b)', params: ['alpha'], ref: (a, b, p) => (b > 0 ? a : a * p[0] * Math.exp(b)) },
  sigmoidBackward: { expr: 'a * b * (1 - b)', params: [], ref: (a, b) => a * b * (1 - b) },
  tanhBackward: { expr: 'a * (1 - b * b)', params: [], ref: (a, b) => a * (1 - b * b) },
  geluBackward: {
    expr: `a * (0.5 * (1 + erf(b * Math.SQRT1_2)) + b * Math.exp(-0.5 * b * b) * ${INV_SQRT_2PI})`,
    params: [],
    ref: (a, b) => a * (0.5 * (1 + erf(b * Math.SQRT1_2)) + b * Math.exp(-0.5 * b * b) * INV_SQRT_2PI),
  },
} satisfies Record<string, BinaryOpDef>;

export type UnaryOpName = keyof typeof UNARY_OPS;
export type BinaryOpName = keyof typeof BINARY_OPS;
