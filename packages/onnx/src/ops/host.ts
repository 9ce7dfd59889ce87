/** Elementwise arithmetic on host constants, with NumPy's broadcasting (for integer and bool graphs folded at import). */
import { stridesOf } from '@cnn/core/geometry';
import { onnxFail } from '../errors.js';
import { broadcastShapes, makeConst, sizeOfShape, type Const } from '../values.js';
import type { OpContext } from './context.js';

/** The output shape of several broadcast operands. */
export function broadcastAll(ctx: { where: string }, shapes: readonly (readonly number[])[]): number[] {
  return shapes.reduce<number[]>((acc, s) => broadcastShapes(ctx, acc, s), []);
}

/** The element of `c` that lands at flat index i of an output of `shape` under broadcasting. */
export function broadcastPicker(shape: readonly number[]): (c: Const, i: number) => number {
  const outStrides = stridesOf(shape);
  return (c, i) => {
    const off = shape.length - c.shape.length;
    let idx = 0;
    let stride = 1;
    for (let d = c.shape.length - 1; d >= 0; d--) {
      const coord = Math.floor(i / outStrides[d + off]) % shape[d + off];
      if (c.shape[d] !== 1) idx += coord * stride;
      stride *= c.shape[d];
    }
    return c.data[idx];
  };
}

/**
 * fn over broadcast operands; the result's element type is `dtype` ('int' values truncated, 'float' ones rounded to
 * float32 as a tensor would hold them).
 */
export function hostElementwise(ctx: OpContext, inputs: readonly (Const | undefined)[], dtype: 'float' | 'int', fn: (...v: number[]) => number): Const {
  const args = inputs.filter((c): c is Const => c !== undefined);
  if (args.length === 0) onnxFail(`${ctx.where}: needs inputs`);
  const shape = broadcastAll(ctx, args.map((a) => a.shape));
  const pick = broadcastPicker(shape);
  const n = sizeOfShape(shape);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = fn(...args.map((a) => pick(a, i)));
    out[i] = dtype === 'int' ? Math.trunc(v) : Math.fround(v);
  }
  return makeConst(dtype, shape, out);
}
