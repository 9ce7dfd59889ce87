/** Arithmetic and activations: one F op each (broadcasting as ONNX's multidirectional rule, which is NumPy's). */
import { F, type Tensor } from '@cnn/core';
import { onnxFail } from '../errors.js';
import { sizeOfShape, type Const } from '../values.js';
import { requireTensor, scalarOf, type OpContext, type OpImpl } from './context.js';
import { hostElementwise } from './host.js';

type Binary = (a: Tensor | number, b: Tensor | number) => Tensor;

/** Both operands, a one-element float constant as a number (no tensor needed for `x * 0.5`). */
function operands(ctx: OpContext): [Tensor | number, Tensor | number] {
  const a = scalarOf(ctx.input(0));
  const b = scalarOf(ctx.input(1));
  if (a !== null && b !== null) return [requireTensor(ctx, 0), b];
  return [a ?? requireTensor(ctx, 0), b ?? requireTensor(ctx, 1)];
}

/** NumPy-broadcast elementwise op on host constants (integer division truncates, as ONNX's Div on integers). */
function hostBinary(fn: (a: number, b: number) => number) {
  return (ctx: OpContext, [a, b]: (Const | undefined)[]): Const[] => {
    if (!a || !b) onnxFail(`${ctx.where}: needs two inputs`);
    return [hostElementwise(ctx, [a, b], a.dtype === 'int' && b.dtype === 'int' ? 'int' : 'float', fn)];
  };
}

function binary(f: Binary, host: (a: number, b: number) => number): OpImpl {
  return {
    run: (ctx) => {
      const [a, b] = operands(ctx);
      return [f(a, b)];
    },
    host: hostBinary(host),
  };
}

function unary(f: (x: Tensor, ctx: OpContext) => Tensor): OpImpl {
  return { run: (ctx) => [f(requireTensor(ctx, 0), ctx)] };
}

/** Clip: attributes min/max before opset 11, optional inputs from 11 on (PyTorch writes both forms). */
function clip(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.opset < 11) {
    lo = ctx.attrs.float('min', -3.4028234663852886e38);
    hi = ctx.attrs.float('max', 3.4028234663852886e38);
  } else {
    const min = ctx.constInput(1);
    const max = ctx.constInput(2);
    if (min) lo = min.data[0];
    if (max) hi = max.data[0];
  }
  if (x.dtype !== 'float32') {
    // Integer inputs (int8, uint8…) clip exactly in float32 below 2^24, and stay integers.
    return F.cast(F.clamp(F.cast(x, 'float32'), lo, hi), x.dtype);
  }
  if (lo === 0 && hi === 6) return F.relu6(x);
  return F.clamp(x, lo, hi);
}

/** HardSigmoid max(0, min(1, αx + β)); PyTorch's hardsigmoid is α = 1/6, β = 1/2. */
function hardSigmoid(x: Tensor, ctx: OpContext): Tensor {
  const alpha = ctx.attrs.float('alpha', 0.2);
  const beta = ctx.attrs.float('beta', 0.5);
  if (Math.abs(alpha - 1 / 6) < 1e-7 && beta === 0.5) return F.hardsigmoid(x);
  return F.clamp(F.affine(x, alpha, beta), 0, 1);
}

function softmaxLike(f: (x: Tensor, dim: number) => Tensor) {
  return (x: Tensor, ctx: OpContext): Tensor => {
    // Before opset 13 the input is read as 2-D [prod(dims < axis), prod(dims ≥ axis)], default axis 1.
    if (ctx.opset >= 13) return f(x, ctx.attrs.int('axis', -1));
    const axis = ctx.attrs.int('axis', 1);
    const a = axis < 0 ? axis + x.rank : axis;
    if (a === x.rank - 1) return f(x, -1);
    const flat = F.reshape(x, [sizeOfShape(x.shape.slice(0, a)), sizeOfShape(x.shape.slice(a))]);
    return F.reshape(f(flat, -1), x.shape);
  };
}

export const ELEMENTWISE_OPS: Record<string, OpImpl> = {
  Add: binary(F.add, (a, b) => a + b),
  Sub: binary(F.sub, (a, b) => a - b),
  Mul: binary(F.mul, (a, b) => a * b),
  Div: binary(F.div, (a, b) => a / b),
  Sum: {
    run: (ctx) => {
      let acc = requireTensor(ctx, 0);
      for (let i = 1; i < ctx.numInputs; i++) acc = F.add(acc, requireTensor(ctx, i));
      return [ctx.numInputs === 1 ? F.clone(acc) : acc];
    },
  },
  Relu: unary((x) => F.relu(x)),
  Sigmoid: unary((x) => F.sigmoid(x)),
  Tanh: unary((x) => F.tanh(x)),
  Erf: unary((x) => F.erf(x)),
  LeakyRelu: unary((x, ctx) => F.leakyRelu(x, ctx.attrs.float('alpha', 0.01))),
  Elu: unary((x, ctx) => F.elu(x, ctx.attrs.float('alpha', 1))),
  HardSigmoid: unary(hardSigmoid),
  HardSwish: unary((x) => F.hardswish(x)),
  Clip: { run: (ctx) => [clip(ctx)], constInputs: [1, 2] },
  Softmax: unary(softmaxLike(F.softmax)),
  LogSoftmax: unary(softmaxLike(F.logSoftmax)),
};
