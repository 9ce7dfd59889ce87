/**
 * Runners for the tensor ops of the format: erf, reductions over dims, arg-reductions, cast, slicing, concatenation,
 * permutations and matmul. Names and attributes follow torch (camelCase); see the package README's op table.
 */
import { F, type Tensor } from '@cnn/core';
import { boolAttr, dimsAttr, intAttr, intListAttr, oneOfAttr, optionalIntAttr, type Attrs, type OpSpec } from './op-spec.js';

/** concat's inputs: `input0`, `input1`, … (at most this many). */
export const MAX_CONCAT_INPUTS = 16;
const CONCAT_INPUTS = Array.from({ length: MAX_CONCAT_INPUTS }, (_, k) => `input${k}`);

function reduction(op: string, fn: (x: Tensor, dim: number | number[] | undefined, keepDim: boolean) => Tensor): OpSpec {
  return {
    inputs: ['input'], attrs: ['dim', 'keepDim'],
    run: (i, a) => [fn(i.input, dimsAttr(op, a, 'dim'), boolAttr(op, a, 'keepDim', false))],
  };
}

function argReduction(op: string, fn: (x: Tensor, dim?: number, keepDim?: boolean) => Tensor): OpSpec {
  return {
    inputs: ['input'], attrs: ['dim', 'keepDim'],
    run: (i, a) => {
      const dim = optionalIntAttr(op, a, 'dim');
      if (dim === undefined && a.keepDim !== undefined) throw new Error(`${op}: attribute 'keepDim' needs 'dim' (without it the index is into the flattened input)`);
      return [fn(i.input, dim, boolAttr(op, a, 'keepDim', false))];
    },
  };
}

/** concat's inputs in order; a gap (input2 without input1) is an error. */
function concatInputs(inputs: Record<string, Tensor>): Tensor[] {
  const present = CONCAT_INPUTS.filter((n) => n in inputs);
  const expected = CONCAT_INPUTS.slice(0, present.length);
  if (present.join() !== expected.join()) throw new Error(`concat: inputs must be named ${expected.join(', ')} in order, got ${present.join(', ')}`);
  return present.map((n) => inputs[n]);
}

function slice(x: Tensor, a: Attrs): Tensor {
  return F.slice(x, intAttr('slice', a, 'dim'), intAttr('slice', a, 'start'), optionalIntAttr('slice', a, 'end'), optionalIntAttr('slice', a, 'step'));
}

function castDType(a: Attrs): 'float32' | 'int32' {
  const dtype = oneOfAttr('cast', a, 'dtype', ['float32', 'int32'] as const);
  if (!dtype) throw new Error("cast: attribute 'dtype' is required ('float32' or 'int32')");
  return dtype;
}

export const TENSOR_OPS: Record<string, OpSpec> = {
  erf: { inputs: ['input'], attrs: [], run: (i) => [F.erf(i.input)] },
  sum: reduction('sum', F.sum),
  mean: reduction('mean', F.mean),
  // F.max / F.min share the gradient among tied extrema: torch.amax / torch.amin, not torch.max(x, dim).
  amax: reduction('amax', F.max),
  amin: reduction('amin', F.min),
  argmax: argReduction('argmax', F.argmax),
  argmin: argReduction('argmin', F.argmin),
  cast: { inputs: ['input'], attrs: ['dtype'], run: (i, a) => [F.cast(i.input, castDType(a))] },
  slice: { inputs: ['input'], attrs: ['dim', 'start', 'end', 'step'], run: (i, a) => [slice(i.input, a)] },
  concat: {
    inputs: ['input0'], optionalInputs: CONCAT_INPUTS.slice(1), attrs: ['dim'],
    run: (i, a) => [F.concat(concatInputs(i), intAttr('concat', a, 'dim'))],
  },
  permute: { inputs: ['input'], attrs: ['dims'], run: (i, a) => [F.permute(i.input, intListAttr('permute', a, 'dims'))] },
  transpose: {
    inputs: ['input'], attrs: ['dim0', 'dim1'],
    run: (i, a) => [F.transpose(i.input, intAttr('transpose', a, 'dim0'), intAttr('transpose', a, 'dim1'))],
  },
  matmul: { inputs: ['a', 'b'], attrs: [], run: (i) => [F.matmul(i.a, i.b)] },
};
