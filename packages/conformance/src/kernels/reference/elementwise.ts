/** unary, binary and cast from their definitions: the table's `ref` functions, applied element by element. */
import {
  BINARY_OPS, UNARY_OPS, stridesOf, type BinaryOpName, type BroadcastGeometry, type DType, type TypedArray, type UnaryOpName,
} from '@cnn/core';

export function unary(op: UnaryOpName, x: TypedArray, params: readonly number[]): Float32Array {
  const f = UNARY_OPS[op].ref;
  return Float32Array.from(x, (v) => f(v, params));
}

/** Walks every output coordinate and reads each operand through its (broadcast) strides. */
export function binary(op: BinaryOpName, a: TypedArray, b: TypedArray, geo: BroadcastGeometry, params: readonly number[]): Float32Array {
  const f = BINARY_OPS[op].ref;
  const { outShape, aStrides, bStrides } = geo;
  const outStrides = stridesOf(outShape);
  const out = new Float32Array(outShape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < out.length; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < outShape.length; d++) {
      const coord = Math.floor(i / outStrides[d]) % outShape[d];
      ia += coord * aStrides[d];
      ib += coord * bStrides[d];
    }
    out[i] = f(a[ia], b[ib], params);
  }
  return out;
}

/** float32 → int32 truncates toward zero (PyTorch's `.int()`). */
export function cast(x: TypedArray, dtype: DType): TypedArray {
  return dtype === 'int32' ? Int32Array.from(x, (v) => Math.trunc(v)) : Float32Array.from(x);
}
