/** What an operator implementation sees: its inputs, attributes, the opset and the module's training flag. */
import { F, tensor, type Tensor } from '@cnn/core';
import type { Attributes } from '../attributes.js';
import { onnxFail } from '../errors.js';
import { isConst, sizeOfShape, type Const, type Value } from '../values.js';

export interface OpContext {
  /** `Conv node 'conv1'`, for errors. */
  readonly where: string;
  readonly opType: string;
  readonly opset: number;
  readonly attrs: Attributes;
  readonly training: boolean;
  /** Input i (undefined when absent or named ''). */
  input(i: number): Value | undefined;
  readonly numInputs: number;
  readonly numOutputs: number;
  /** Input i as a host constant: a Const, or an initializer's values. Anything computed at run time is an error. */
  constInput(i: number): Const | undefined;
  /** Input i as a tensor (constants become float32 / int32 tensors, cached for the model's life when they are fixed). */
  tensorInput(i: number): Tensor;
}

/** What an operator's support check sees at import, before anything runs. */
export interface NodeInfo {
  readonly where: string;
  readonly opType: string;
  readonly opset: number;
  readonly attrs: Attributes;
  readonly numInputs: number;
  readonly numOutputs: number;
  /** Whether input i is given (present and not named ''). */
  hasInput(i: number): boolean;
  /** Input i's value when it is known at import (a constant or an initializer), else undefined. */
  constant(i: number): Const | undefined;
  /** Input i's rank when it is known at import (graph inputs with a declared shape, initializers, constants). */
  rank(i: number): number | undefined;
}

/** Implementation of one operator type: `run` on tensors; `host`, when all inputs are constants, on numbers. */
export interface OpImpl {
  run(ctx: OpContext): Value[];
  host?(ctx: OpContext, inputs: (Const | undefined)[]): Const[];
  /** Input positions whose values are read as constants (shapes, scales, pads, axes): initializers there are not
   * parameters. */
  constInputs?: readonly number[];
  /** The option of this node that is out of scope (`mode 'cubic'`), or undefined when it is supported: importOnnx
   * lists every such node with the unknown operators in one error, before anything runs. */
  unsupported?(node: NodeInfo): string | undefined;
}

export function requireTensor(ctx: OpContext, i: number): Tensor {
  if (ctx.input(i) === undefined) onnxFail(`${ctx.where}: input ${i} is required`);
  return ctx.tensorInput(i);
}

export function optionalTensor(ctx: OpContext, i: number): Tensor | null {
  return ctx.input(i) === undefined ? null : ctx.tensorInput(i);
}

/** A host constant as a tensor of the right kind. */
export function constToTensor(c: Const): Tensor {
  if (c.dtype === 'float') return tensor(Float32Array.from(c.data), c.shape);
  return tensor(Int32Array.from(c.data, (v) => Math.max(-2147483648, Math.min(2147483647, v))), c.shape, 'int32');
}

/** A one-element float constant as a number (for F ops that take scalars), else null. */
export function scalarOf(v: Value | undefined): number | null {
  return isConst(v) && v.dtype === 'float' && sizeOfShape(v.shape) === 1 ? v.data[0] : null;
}

export function normAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) onnxFail(`${ctx.where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Float32 tensors only beyond this point (integer tensors only appear in shape arithmetic, folded on the host). */
export function asFloat(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : F.cast(t, 'float32');
}
