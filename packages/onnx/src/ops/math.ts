/**
 * Unary math, Pow, variadic Max / Min, comparisons, logic and Where, onto core's F ops. Integer and bool tensors
 * (int32 here) compute in float32, exact below 2^24, and come back as int32; comparisons and logic give bool as
 * int32 0 / 1. Each op also has a host form, so integer and bool constants fold at import.
 */
import { F, type Tensor } from '@cnn/core';
import { isConst, type Value } from '../values.js';
import { asFloat, requireTensor, scalarOf, type OpContext, type OpImpl } from './context.js';
import { hostElementwise } from './host.js';

/** Whether input i holds integers or bools (an int constant, or an int32 tensor). */
function isInt(v: Value | undefined): boolean {
  if (v === undefined) return false;
  return isConst(v) ? v.dtype === 'int' : v.dtype !== 'float32';
}

/** Input i as a float32 tensor, or as a number when it is a one-element float constant (`x ^ 2`, `x > 0.5`). */
function operand(ctx: OpContext, i: number, allowScalar: boolean): Tensor | number {
  const s = allowScalar ? scalarOf(ctx.input(i)) : null;
  return s ?? asFloat(requireTensor(ctx, i));
}

const toInt = (t: Tensor): Tensor => F.cast(t, 'int32');

/** A unary op that keeps integer inputs integers (Neg, Abs of int64 values). */
function unary(f: (x: Tensor) => Tensor, host: (v: number) => number): OpImpl {
  return {
    run: (ctx) => {
      const y = f(asFloat(requireTensor(ctx, 0)));
      return [isInt(ctx.input(0)) ? toInt(y) : y];
    },
    host: (ctx, inputs) => [hostElementwise(ctx, inputs.slice(0, 1), inputs[0]!.dtype, host)],
  };
}

/** Pow: the result has the base's element type (ONNX's T), whatever the exponent's. */
const pow: OpImpl = {
  run: (ctx) => {
    const a = asFloat(requireTensor(ctx, 0));
    const y = F.pow(a, operand(ctx, 1, true));
    return [isInt(ctx.input(0)) ? toInt(y) : y];
  },
  host: (ctx, inputs) => [hostElementwise(ctx, inputs.slice(0, 2), inputs[0]!.dtype, (a, b) => Math.pow(a, b))],
};

/** Max / Min over one or more broadcast inputs. */
function variadic(f: (a: Tensor, b: Tensor) => Tensor, host: (...v: number[]) => number): OpImpl {
  return {
    run: (ctx) => {
      let acc = asFloat(requireTensor(ctx, 0));
      for (let i = 1; i < ctx.numInputs; i++) acc = f(acc, asFloat(requireTensor(ctx, i)));
      if (ctx.numInputs === 1) acc = F.clone(acc);
      return [isInt(ctx.input(0)) ? toInt(acc) : acc];
    },
    host: (ctx, inputs) => [hostElementwise(ctx, inputs, inputs.every((c) => !c || c.dtype === 'int') ? 'int' : 'float', host)],
  };
}

/** A comparison or logical op: bool (int32 0 / 1) out. */
function boolean(f: (a: Tensor | number, b: Tensor | number) => Tensor, host: (a: number, b: number) => boolean): OpImpl {
  return {
    run: (ctx) => {
      const a = operand(ctx, 0, true);
      const b = operand(ctx, 1, true);
      // At least one side is a tensor: two scalar constants fold on the host.
      return [toInt(typeof a === 'number' && typeof b === 'number' ? f(asFloat(requireTensor(ctx, 0)), b) : f(a, b))];
    },
    host: (ctx, inputs) => [hostElementwise(ctx, inputs.slice(0, 2), 'int', (a, b) => (host(a, b) ? 1 : 0))],
  };
}

const truthy = (t: Tensor | number): Tensor | number => (typeof t === 'number' ? (t !== 0 ? 1 : 0) : F.minimum(F.abs(t), 1));
const and = (a: Tensor | number, b: Tensor | number): Tensor => F.mul(truthy(a), truthy(b));
const or = (a: Tensor | number, b: Tensor | number): Tensor => F.gt(F.add(truthy(a), truthy(b)), 0);
const xor = (a: Tensor | number, b: Tensor | number): Tensor => F.eq(F.add(truthy(a), truthy(b)), 1);

/** Where(condition, X, Y): core's where picks without touching the branch not taken (inf there stays out). */
const where: OpImpl = {
  run: (ctx) => {
    const c = requireTensor(ctx, 0);
    const x = operand(ctx, 1, true);
    const y = operand(ctx, 2, true);
    const out = typeof x === 'number' && typeof y === 'number' ? F.where(c, asFloat(requireTensor(ctx, 1)), y) : F.where(c, x, y);
    return [isInt(ctx.input(1)) && isInt(ctx.input(2)) ? toInt(out) : out];
  },
  host: (ctx, [c, x, y]) => [hostElementwise(ctx, [c, x, y], x!.dtype === 'int' && y!.dtype === 'int' ? 'int' : 'float', (cv, xv, yv) => (cv !== 0 ? xv : yv))],
};

/**
 * PRelu: slope broadcasts to X unidirectionally. One slope per channel (PyTorch's [C, 1, 1]) or one shared value is
 * core's prelu; any other layout (ONNX's tests slope the last axis) is relu(x) + slope · min(x, 0).
 */
function prelu(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  const slope = requireTensor(ctx, 1);
  const aligned = [...new Array<number>(Math.max(0, x.rank - slope.rank)).fill(1), ...slope.shape];
  const perChannel = x.rank >= 2 && aligned.length === x.rank && aligned.every((d, i) => d === 1 || (i === 1 && d === x.shape[1]));
  if (slope.size === 1 || perChannel) return F.prelu(x, F.reshape(slope, [slope.size]));
  return F.add(F.relu(x), F.mul(slope, F.minimum(x, 0)));
}

export const MATH_OPS: Record<string, OpImpl> = {
  Neg: unary(F.neg, (v) => -v),
  Abs: unary(F.abs, Math.abs),
  Sqrt: unary(F.sqrt, Math.sqrt),
  Reciprocal: unary(F.reciprocal, (v) => 1 / v),
  Exp: unary(F.exp, Math.exp),
  Log: unary(F.log, Math.log),
  Pow: pow,
  Max: variadic(F.maximum, Math.max),
  Min: variadic(F.minimum, Math.min),
  Greater: boolean(F.gt, (a, b) => a > b),
  Less: boolean(F.lt, (a, b) => a < b),
  GreaterOrEqual: boolean(F.ge, (a, b) => a >= b),
  LessOrEqual: boolean(F.le, (a, b) => a <= b),
  Equal: boolean(F.eq, (a, b) => a === b),
  And: boolean(and, (a, b) => a !== 0 && b !== 0),
  Or: boolean(or, (a, b) => a !== 0 || b !== 0),
  Xor: boolean(xor, (a, b) => (a !== 0) !== (b !== 0)),
  Not: {
    run: (ctx) => [toInt(F.eq(asFloat(requireTensor(ctx, 0)), 0))],
    host: (ctx, inputs) => [hostElementwise(ctx, inputs.slice(0, 1), 'int', (v) => (v === 0 ? 1 : 0))],
  },
  Where: where,
  PRelu: { run: (ctx) => [prelu(ctx)] },
  // ONNX's Softplus is log(1 + eˣ) without a threshold; core's default threshold 20 differs from it by < 1e-8·x.
  Softplus: { run: (ctx) => [F.softplus(requireTensor(ctx, 0))] },
  Mish: { run: (ctx) => [F.mish(requireTensor(ctx, 0))] },
  // ONNX's Sign keeps NaN (core's sign, PyTorch's, gives 0): x · 0 is NaN there and 0 elsewhere.
  Sign: { run: (ctx) => [unaryFloat(ctx, (x) => F.where(F.gt(x, 0), 1, F.where(F.lt(x, 0), -1, F.mul(x, 0))))] },
  Selu: { run: (ctx) => [F.mul(F.elu(requireTensor(ctx, 0), ctx.attrs.float('alpha', 1.67326319217681884765625)), ctx.attrs.float('gamma', 1.05070102214813232421875))] },
  Celu: { run: (ctx) => [celu(requireTensor(ctx, 0), ctx.attrs.float('alpha', 1))] },
  Softsign: { run: (ctx) => [F.div(requireTensor(ctx, 0), F.add(F.abs(requireTensor(ctx, 0)), 1))] },
  ThresholdedRelu: { run: (ctx) => [F.where(F.gt(requireTensor(ctx, 0), ctx.attrs.float('alpha', 1)), requireTensor(ctx, 0), 0)] },
  Mean: {
    run: (ctx) => {
      let acc = requireTensor(ctx, 0);
      for (let i = 1; i < ctx.numInputs; i++) acc = F.add(acc, requireTensor(ctx, i));
      return [F.mul(acc, 1 / ctx.numInputs)];
    },
  },
};

/** A float op on input 0, integers computed in float32 and returned as int32. */
function unaryFloat(ctx: OpContext, f: (x: Tensor) => Tensor): Tensor {
  const y = f(asFloat(requireTensor(ctx, 0)));
  return isInt(ctx.input(0)) ? toInt(y) : y;
}

/** CELU: x for x > 0, else α·(e^(x/α) − 1), which is α · elu(x / α). */
function celu(x: Tensor, alpha: number): Tensor {
  return F.mul(F.elu(F.mul(x, 1 / alpha), 1), alpha);
}
