/**
 * The elementwise op table: one declaration per op, shared by every backend. `expr` is a JavaScript expression over
 * `x` (unary) or `a`, `b` (binary), the op's numeric parameters `p0`, `p1`, `Math.*` and the helper `erf(x)`
 * (see ./math.ts). The CPU backends compile it into a loop; the GPU backend translates it into a shader expression.
 * `ref` is the same function, for reference implementations and tests.
 *
 * Special values (NaN, ±inf, ±0) are part of each op's meaning and follow PyTorch 1.13 (see "Special values" in
 * ./backend/contract.ts). The expressions have JavaScript semantics and are written so that those give PyTorch's
 * answers: a comparison with NaN is false, so `x < 0 ? 0 : x` passes NaN through where `x > 0 ? x : 0` would turn it
 * into 0; `Math.max`/`Math.min` return NaN when either operand is NaN. A translator to another language must keep
 * these semantics (GLSL's max/min/clamp, WebAssembly's pmax/pmin and SSE's maxps do not propagate NaN).
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
  /** PyTorch's sign: sign(NaN) = 0 and sign(±0) = +0 (Math.sign would give NaN and -0). */
  sign: { expr: 'x > 0 ? 1 : x < 0 ? -1 : 0', params: [], ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) },
  exp: { expr: 'Math.exp(x)', params: [], ref: (x) => Math.exp(x) },
  log: { expr: 'Math.log(x)', params: [], ref: (x) => Math.log(x) },
  sqrt: { expr: 'Math.sqrt(x)', params: [], ref: (x) => Math.sqrt(x) },
  rsqrt: { expr: '1 / Math.sqrt(x)', params: [], ref: (x) => 1 / Math.sqrt(x) },
  square: { expr: 'x * x', params: [], ref: (x) => x * x },
  reciprocal: { expr: '1 / x', params: [], ref: (x) => 1 / x },
  /** x · scale + shift: scalar arithmetic without a scalar tensor. */
  affine: { expr: 'x * p0 + p1', params: ['scale', 'shift'], ref: (x, p) => x * p[0] + p[1] },
  /** PyTorch computes x^±0.5 as sqrt / rsqrt, which differ from pow at -0 and -inf (pow(-inf, 0.5) = NaN, not inf). */
  pow: {
    expr: 'p0 === 0.5 ? Math.sqrt(x) : p0 === -0.5 ? 1 / Math.sqrt(x) : Math.pow(x, p0)',
    params: ['exponent'],
    ref: (x, p) => (p[0] === 0.5 ? Math.sqrt(x) : p[0] === -0.5 ? 1 / Math.sqrt(x) : Math.pow(x, p[0])),
  },
  /** NaN stays NaN (Math.max/min propagate it); min > max gives max everywhere, as torch.clamp. */
  clamp: { expr: 'Math.min(Math.max(x, p0), p1)', params: ['min', 'max'], ref: (x, p) => Math.min(Math.max(x, p[0]), p[1]) },
  step: { expr: 'x > 0 ? 1 : 0', params: [], ref: (x) => (x > 0 ? 1 : 0) },
  /** relu(NaN) = NaN and relu(-0) = -0, as torch.relu (written so the comparison with NaN is the false one). */
  relu: { expr: 'x < 0 ? 0 : x', params: [], ref: (x) => (x < 0 ? 0 : x) },
  leakyRelu: { expr: 'x > 0 ? x : p0 * x', params: ['negativeSlope'], ref: (x, p) => (x > 0 ? x : p[0] * x) },
  elu: { expr: 'x > 0 ? x : p0 * (Math.exp(x) - 1)', params: ['alpha'], ref: (x, p) => (x > 0 ? x : p[0] * (Math.exp(x) - 1)) },
  sigmoid: { expr: '1 / (1 + Math.exp(-x))', params: [], ref: (x) => 1 / (1 + Math.exp(-x)) },
  tanh: { expr: 'Math.tanh(x)', params: [], ref: (x) => Math.tanh(x) },
  erf: { expr: 'erf(x)', params: [], ref: (x) => erf(x) },
  /** Exact GELU, x·Φ(x), as torch.nn.functional.gelu with approximate='none'. */
  gelu: { expr: '0.5 * x * (1 + erf(x * Math.SQRT1_2))', params: [], ref: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)) },
  /** √x · p0 + p1 in one pass (Adam's denominator √v / √(1 − β₂ᵗ) + ε). */
  sqrtAffine: { expr: 'Math.sqrt(x) * p0 + p1', params: ['scale', 'shift'], ref: (x, p) => Math.sqrt(x) * p[0] + p[1] },
  // Activations of mobile CNNs, each as PyTorch 1.13's vectorised CPU kernel writes it (the path every tensor of 16
  // or more elements takes): hardswish(-inf) = NaN (-inf · 0), silu(±inf) = ±inf / NaN as x / (1 + e^-x) gives.
  /** x · relu6(x + 3) / 6. */
  hardswish: {
    expr: 'x * Math.min(Math.max(x + 3, 0), 6) / 6', params: [], ref: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  },
  /** relu6(x + 3) / 6. */
  hardsigmoid: { expr: 'Math.min(Math.max(x + 3, 0), 6) / 6', params: [], ref: (x) => Math.min(Math.max(x + 3, 0), 6) / 6 },
  /** x · sigmoid(x), written as PyTorch does: x / (1 + e^-x). */
  silu: { expr: 'x / (1 + Math.exp(-x))', params: [], ref: (x) => x / (1 + Math.exp(-x)) },
  /** x · tanh(softplus(x)) with softplus = log1p(e^x) (no threshold, as torch.nn.functional.mish). */
  mish: { expr: 'x * Math.tanh(Math.log1p(Math.exp(x)))', params: [], ref: (x) => x * Math.tanh(Math.log1p(Math.exp(x))) },
  /** log1p(e^(βx)) / β, or x where βx > threshold (torch.nn.functional.softplus). */
  softplus: {
    expr: 'x * p0 > p1 ? x : Math.log1p(Math.exp(x * p0)) / p0',
    params: ['beta', 'threshold'],
    ref: (x, p) => (x * p[0] > p[1] ? x : Math.log1p(Math.exp(x * p[0])) / p[0]),
  },
} satisfies Record<string, UnaryOpDef>;

export const BINARY_OPS = {
  add: { expr: 'a + b', params: [], ref: (a, b) => a + b },
  sub: { expr: 'a - b', params: [], ref: (a, b) => a - b },
  mul: { expr: 'a * b', params: [], ref: (a, b) => a * b },
  div: { expr: 'a / b', params: [], ref: (a, b) => a / b },
  /** C's pow, as torch.pow: 1^y = 1 and (-1)^±inf = 1 even for y = NaN (JavaScript's Math.pow gives NaN there). */
  pow: {
    expr: 'a === 1 || (a === -1 && Math.abs(b) > 3.4028234663852886e38) ? 1 : Math.pow(a, b)',
    params: [],
    ref: (a, b) => (a === 1 || (a === -1 && Math.abs(b) > 3.4028234663852886e38) ? 1 : Math.pow(a, b)),
  },
  /** NaN if either operand is NaN, as torch.maximum / torch.minimum. */
  maximum: { expr: 'Math.max(a, b)', params: [], ref: (a, b) => Math.max(a, b) },
  minimum: { expr: 'Math.min(a, b)', params: [], ref: (a, b) => Math.min(a, b) },
  gt: { expr: 'a > b ? 1 : 0', params: [], ref: (a, b) => (a > b ? 1 : 0) },
  ge: { expr: 'a >= b ? 1 : 0', params: [], ref: (a, b) => (a >= b ? 1 : 0) },
  lt: { expr: 'a < b ? 1 : 0', params: [], ref: (a, b) => (a < b ? 1 : 0) },
  le: { expr: 'a <= b ? 1 : 0', params: [], ref: (a, b) => (a <= b ? 1 : 0) },
  eq: { expr: 'a === b ? 1 : 0', params: [], ref: (a, b) => (a === b ? 1 : 0) },
  /** a where b ≠ 0, else 0: picks entries by a 0/1 mask without 0 · ±inf = NaN (nllLoss / crossEntropy over -inf logits). */
  mask: { expr: 'b !== 0 ? a : 0', params: [], ref: (a, b) => (b !== 0 ? a : 0) },
  // Optimizer updates in one pass each (each output rounded to float32 once): a·p0 + b·p1 (momentum buffers, Adam's
  // first moment, p − lr·d) and a·p0 + b²·p1 (Adam's second moment).
  axpby: { expr: 'a * p0 + b * p1', params: ['alpha', 'beta'], ref: (a, b, p) => a * p[0] + b * p[1] },
  axpbySquare: { expr: 'a * p0 + b * b * p1', params: ['alpha', 'beta'], ref: (a, b, p) => a * p[0] + b * b * p[1] },
  // Fused activation backward ops: a = upstream gradient, b = the activation's input (x) or output (y). Each follows
  // PyTorch's formula, including which branch NaN takes (threshold_backward: `x <= 0 ? 0 : dy`, so NaN passes dy).
  reluBackward: { expr: 'b <= 0 ? 0 : a', params: [], ref: (a, b) => (b <= 0 ? 0 : a) },
  leakyReluBackward: { expr: 'b > 0 ? a : a * p0', params: ['negativeSlope'], ref: (a, b, p) => (b > 0 ? a : a * p[0]) },
  eluBackward: { expr: 'b <= 0 ? a * p0 * Math.exp(b) : a', params: ['alpha'], ref: (a, b, p) => (b <= 0 ? a * p[0] * Math.exp(b) : a) },
  sigmoidBackward: { expr: 'a * b * (1 - b)', params: [], ref: (a, b) => a * b * (1 - b) },
  tanhBackward: { expr: 'a * (1 - b * b)', params: [], ref: (a, b) => a * (1 - b * b) },
  geluBackward: {
    expr: `a * (0.5 * (1 + erf(b * Math.SQRT1_2)) + b * Math.exp(-0.5 * b * b) * ${INV_SQRT_2PI})`,
    params: [],
    ref: (a, b) => a * (0.5 * (1 + erf(b * Math.SQRT1_2)) + b * Math.exp(-0.5 * b * b) * INV_SQRT_2PI),
  },
  // PyTorch 1.13's vectorised kernels (tensors of ≥ 16 elements; its scalar tail loop differs at NaN and at x = 3):
  // hardtanh_backward passes dy only strictly inside (min, max), so NaN gives 0; hardswish_backward takes dy for
  // x ≥ 3, 0 for x < -3 and dy·(x/3 + 1/2) in between, so NaN gives NaN.
  hardtanhBackward: { expr: 'b > p0 && b < p1 ? a : 0', params: ['min', 'max'], ref: (a, b, p) => (b > p[0] && b < p[1] ? a : 0) },
  hardswishBackward: {
    expr: 'b < -3 ? 0 : b >= 3 ? a : a * (b / 3 + 0.5)', params: [], ref: (a, b) => (b < -3 ? 0 : b >= 3 ? a : a * (b / 3 + 0.5)),
  },
  hardsigmoidBackward: { expr: 'b > -3 && b < 3 ? a / 6 : 0', params: [], ref: (a, b) => (b > -3 && b < 3 ? a / 6 : 0) },
  /** dy · σ(x) · (1 + x · (1 − σ(x))). */
  siluBackward: {
    expr: 'a * (1 / (1 + Math.exp(-b))) * (1 + b * (1 - 1 / (1 + Math.exp(-b))))',
    params: [],
    ref: (a, b) => {
      const s = 1 / (1 + Math.exp(-b));
      return a * s * (1 + b * (1 - s));
    },
  },
  /** dy · (t + x · σ(x) · (1 − t²)), t = tanh(softplus(x)). */
  mishBackward: {
    expr: 'a * (Math.tanh(Math.log1p(Math.exp(b))) + b * (1 / (1 + Math.exp(-b))) * (1 - Math.tanh(Math.log1p(Math.exp(b))) * Math.tanh(Math.log1p(Math.exp(b)))))',
    params: [],
    ref: (a, b) => {
      const t = Math.tanh(Math.log1p(Math.exp(b)));
      return a * (t + b * (1 / (1 + Math.exp(-b))) * (1 - t * t));
    },
  },
  /** dy · z / (z + 1), z = e^(βx); dy where βx > threshold. */
  softplusBackward: {
    expr: 'b * p0 > p1 ? a : a * Math.exp(b * p0) / (Math.exp(b * p0) + 1)',
    params: ['beta', 'threshold'],
    ref: (a, b, p) => (b * p[0] > p[1] ? a : (a * Math.exp(b * p[0])) / (Math.exp(b * p[0]) + 1)),
  },
  /** PReLU: a = x, b = its channel's weight (broadcast). */
  prelu: { expr: 'a > 0 ? a : b * a', params: [], ref: (a, b) => (a > 0 ? a : b * a) },
  /** PReLU's ∂y/∂x: 1 where x > 0, else the weight (a = x, b = weight); NaN takes the weight, as PyTorch. */
  preluSlope: { expr: 'a > 0 ? 1 : b', params: [], ref: (a, b) => (a > 0 ? 1 : b) },
  /** PReLU's weight gradient before the sum over non-channel dims: a = dy, b = x. */
  preluWeightGrad: { expr: 'b > 0 ? 0 : a * b', params: [], ref: (a, b) => (b > 0 ? 0 : a * b) },
} satisfies Record<string, BinaryOpDef>;

export type UnaryOpName = keyof typeof UNARY_OPS;
export type BinaryOpName = keyof typeof BINARY_OPS;
