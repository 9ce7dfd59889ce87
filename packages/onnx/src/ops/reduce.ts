/**
 * Reductions and ArgMax / ArgMin onto core's sum / max / min / argmax. The axes are an attribute until the opset
 * that made them an input (ReduceSum 13, the others 18), where `noop_with_empty_axes` also appears.
 */
import { F, type Tensor } from '@cnn/core';
import { asFloat, normAxis, requireTensor, type NodeInfo, type OpContext, type OpImpl } from './context.js';

/** The sorted reduced axes, or null for "no reduction" (empty axes with noop_with_empty_axes). */
function reducedAxes(ctx: OpContext, rank: number, inputSince: number): number[] | null {
  const given = ctx.opset >= inputSince ? ctx.constInput(1)?.data.slice() : ctx.attrs.ints('axes');
  if (!given || given.length === 0) {
    if (ctx.opset >= inputSince && ctx.attrs.int('noop_with_empty_axes', 0) === 1) return null;
    return Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(given.map((a) => normAxis(ctx, a, rank)))].sort((a, b) => a - b);
}

/** A reduction `f(x, axes, keepdims)`; integer inputs reduce in float32 and come back as int32. */
function reduce(inputSince: number, f: (x: Tensor, axes: number[], keep: boolean) => Tensor, keepsInt = false): OpImpl {
  return {
    run: (ctx) => {
      const input = requireTensor(ctx, 0);
      const x = asFloat(input);
      const axes = reducedAxes(ctx, x.rank, inputSince);
      if (axes === null) return [input];
      const y = f(x, axes, ctx.attrs.int('keepdims', 1) === 1);
      return [keepsInt && input.dtype !== 'float32' ? F.cast(y, input.dtype) : y];
    },
    constInputs: [1],
  };
}

const sumSquare = (x: Tensor, axes: number[], keep: boolean): Tensor => F.sum(F.mul(x, x), axes, keep);

/** log Σ exp, shifted by the maximum so large values do not overflow (as ONNX's reference would in float64). */
function logSumExp(x: Tensor, axes: number[], keep: boolean): Tensor {
  const m = F.max(x, axes, true);
  // An all −∞ slice has max −∞: shift by 0 there so it stays log(0) = −∞ rather than NaN.
  const shift = F.where(F.eq(F.abs(m), Infinity), 0, m);
  const s = F.log(F.sum(F.exp(F.sub(x, shift)), axes, true));
  const y = F.add(s, shift);
  return keep ? y : F.reshape(y, x.shape.filter((_, i) => !axes.includes(i)));
}

/** ArgMax / ArgMin: the first index on ties (select_last_index 1 is refused at import). */
function arg(f: (x: Tensor, dim: number, keep: boolean) => Tensor): OpImpl {
  return {
    run: (ctx) => {
      const x = asFloat(requireTensor(ctx, 0));
      const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.rank);
      return [f(x, axis, ctx.attrs.int('keepdims', 1) === 1)];
    },
    unsupported: (node: NodeInfo) => (node.attrs.int('select_last_index', 0) !== 0 ? 'select_last_index 1' : undefined),
  };
}

export const REDUCE_OPS: Record<string, OpImpl> = {
  ReduceSum: reduce(13, (x, a, k) => F.sum(x, a, k), true),
  ReduceMax: reduce(18, (x, a, k) => F.max(x, a, k), true),
  ReduceMin: reduce(18, (x, a, k) => F.min(x, a, k), true),
  ReduceSumSquare: reduce(18, sumSquare),
  ReduceL1: reduce(18, (x, a, k) => F.sum(F.abs(x), a, k)),
  ReduceL2: reduce(18, (x, a, k) => F.sqrt(sumSquare(x, a, k))),
  ReduceLogSum: reduce(18, (x, a, k) => F.log(F.sum(x, a, k))),
  ReduceLogSumExp: reduce(18, logSumExp),
  ArgMax: arg(F.argmax),
  ArgMin: arg(F.argmin),
};
