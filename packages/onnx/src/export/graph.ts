/**
 * An ONNX graph under construction: nodes in execution order, initializers, and one opset. Kernel mappers
 * (./kernels/*) add nodes through it and never touch protobuf; `toModel` (./serialize.ts) writes the result.
 */
import type { DType } from '@cnn/core';

/** An ONNX attribute value, tagged by its protobuf type (a JS number alone cannot say int or float). */
export type Attr = { i: number } | { f: number } | { ints: readonly number[] } | { floats: readonly number[] } | { s: string };

export interface GraphNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
  /** Set for a kernel call that has no ONNX form: an error if the graph output depends on it. */
  unsupported?: string;
}

/** ONNX element types used here (TensorProto.DataType). */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
export const ONNX_BOOL = 9;

export interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  /** Filled in before serialisation (parameters and pre-existing data are read after the trace). */
  data: Float32Array | Int32Array | BigInt64Array | null;
}

export function onnxType(dtype: DType): number {
  return dtype === 'int32' ? ONNX_INT32 : ONNX_FLOAT;
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly initializers = new Map<string, Initializer>();
  private counter = 0;

  constructor(readonly opset: number) {}

  /** A name no other value has: `<prefix>_<n>`. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** Adds a node and returns its output names (fresh unless given). */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs?: string[]): string[] {
    const outs = outputs ?? [this.fresh(opType)];
    this.nodes.push({ opType, inputs, outputs: outs, attrs });
    return outs;
  }

  /** One-output node; returns its output name. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.node(opType, inputs, attrs)[0];
  }

  /** A kernel call with no ONNX form; fails export only if the output needs it. */
  unsupported(reason: string): string {
    const out = this.fresh('unsupported');
    this.nodes.push({ opType: 'Unsupported', inputs: [], outputs: [out], attrs: {}, unsupported: reason });
    return out;
  }

  initializer(name: string, dims: readonly number[], dataType: number, data: Initializer['data']): string {
    this.initializers.set(name, { name, dims: [...dims], dataType, data });
    return name;
  }

  constFloat(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.initializer(this.fresh('const'), dims, ONNX_FLOAT, Float32Array.from(values));
  }

  constInt32(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.initializer(this.fresh('const'), dims, ONNX_INT32, Int32Array.from(values));
  }

  constInt64(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.initializer(this.fresh('const'), dims, ONNX_INT64, BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
  }

  /** A scalar of the given element type (Pad's constant_value, Clip's bounds, Where's fill). */
  scalar(value: number, dtype: DType = 'float32'): string {
    return dtype === 'int32' ? this.constInt32([value], []) : this.constFloat([value], []);
  }

  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.constInt64(shape)]);
  }

  /** ReduceSum/Max/Min/Mean over `axes`: axes an input from the opset where that op changed (13 for ReduceSum, 18 for
   * the others), an attribute before. */
  reduce(opType: 'ReduceSum' | 'ReduceMax' | 'ReduceMin' | 'ReduceMean', x: string, axes: readonly number[], keepdims: boolean): string {
    const asInput = this.opset >= (opType === 'ReduceSum' ? 13 : 18);
    const keep = { keepdims: { i: keepdims ? 1 : 0 } };
    return asInput ? this.op(opType, [x, this.constInt64(axes)], keep) : this.op(opType, [x], { ...keep, axes: { ints: axes } });
  }

  /** Clip to [lo, hi]: bounds are inputs from opset 11, attributes before; an infinite bound is left out. */
  clip(x: string, lo: number, hi: number): string {
    if (this.opset >= 11) {
      const min = lo === -Infinity ? '' : this.scalar(lo);
      const max = hi === Infinity ? '' : this.scalar(hi);
      return this.op('Clip', max ? [x, min, max] : min ? [x, min] : [x]);
    }
    const attrs: Record<string, Attr> = {};
    if (lo !== -Infinity) attrs.min = { f: lo };
    if (hi !== Infinity) attrs.max = { f: hi };
    return this.op('Clip', [x], attrs);
  }

  /** Pad with `pads` (ONNX order: all begins, then all ends): inputs from opset 11, attributes before. */
  pad(x: string, pads: readonly number[], mode: 'constant' | 'reflect' | 'edge', value: number, dtype: DType): string {
    if (this.opset >= 11) {
      const inputs = [x, this.constInt64(pads)];
      if (mode === 'constant') inputs.push(this.scalar(value, dtype));
      return this.op('Pad', inputs, { mode: { s: mode } });
    }
    return this.op('Pad', [x], { mode: { s: mode }, pads: { ints: pads }, value: { f: value } });
  }

  /** Slices every axis listed: inputs from opset 10, attributes in opset 9 (which has no steps: step 1 only). */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps: readonly number[]): string | null {
    if (this.opset >= 10) {
      return this.op('Slice', [x, this.constInt64(starts), this.constInt64(ends), this.constInt64(axes), this.constInt64(steps)]);
    }
    if (steps.some((s) => s !== 1)) return null;
    return this.op('Slice', [x], { starts: { ints: starts }, ends: { ints: ends }, axes: { ints: axes } });
  }

  /** A 0/1 float from a boolean tensor (comparisons, masks). */
  boolToFloat(x: string): string {
    return this.op('Cast', [x], { to: { i: ONNX_FLOAT } });
  }
}
