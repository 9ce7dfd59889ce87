/**
 * Values flowing through an imported graph: a backend Tensor, or a host constant. Constants (Constant nodes,
 * integer initializers, Shape of a tensor) are computed on the host so shape arithmetic (Shape → Gather → Concat →
 * Reshape) folds to plain numbers before any kernel runs.
 */
import type { Tensor } from '@cnn/core';
import { broadcastShapes as coreBroadcastShapes, sizeOf } from '@cnn/core/geometry';
import { onnxFail } from './errors.js';
import { TensorProto_DataLocation, TensorProto_DataType, type TensorProto } from './generated/onnx.proto3_pb.js';

export interface Const {
  readonly kind: 'const';
  /** 'float' becomes a float32 tensor; 'int' (every integer type and bool) an int32 one when it meets a kernel. */
  readonly dtype: 'float' | 'int';
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export type Value = Tensor | Const;

export function isConst(v: Value | undefined): v is Const {
  return v !== undefined && (v as Const).kind === 'const';
}

export function makeConst(dtype: 'float' | 'int', shape: readonly number[], data: readonly number[]): Const {
  return { kind: 'const', dtype, shape: [...shape], data: [...data] };
}

/** Elements of a shape (core's shape arithmetic, under the name this package's ops use). */
export const sizeOfShape: (shape: readonly number[]) => number = sizeOf;

const FLOAT_TYPES = new Set<number>([TensorProto_DataType.FLOAT, TensorProto_DataType.DOUBLE]);
const INT_TYPES = new Set<number>([
  TensorProto_DataType.INT64, TensorProto_DataType.INT32, TensorProto_DataType.INT16, TensorProto_DataType.INT8,
  TensorProto_DataType.UINT8, TensorProto_DataType.UINT16, TensorProto_DataType.UINT32, TensorProto_DataType.UINT64,
  TensorProto_DataType.BOOL,
]);

/** The ONNX element type's name, for errors. */
export function dataTypeName(t: number): string {
  return TensorProto_DataType[t] ?? `data type ${t}`;
}

/** Reads raw little-endian bytes of one element type into numbers (int64 through BigInt, then Number). */
function fromRaw(raw: Uint8Array, dataType: number, count: number, where: string): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const widths: Record<number, number> = {
    [TensorProto_DataType.FLOAT]: 4, [TensorProto_DataType.DOUBLE]: 8, [TensorProto_DataType.INT64]: 8,
    [TensorProto_DataType.UINT64]: 8, [TensorProto_DataType.INT32]: 4, [TensorProto_DataType.UINT32]: 4,
    [TensorProto_DataType.INT16]: 2, [TensorProto_DataType.UINT16]: 2, [TensorProto_DataType.INT8]: 1,
    [TensorProto_DataType.UINT8]: 1, [TensorProto_DataType.BOOL]: 1,
  };
  const width = widths[dataType];
  if (raw.byteLength !== width * count) {
    onnxFail(`${where}: raw_data has ${raw.byteLength} bytes, but ${count} ${dataTypeName(dataType)} elements need ${width * count}`);
  }
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const o = i * width;
    switch (dataType) {
      case TensorProto_DataType.FLOAT: out[i] = view.getFloat32(o, true); break;
      case TensorProto_DataType.DOUBLE: out[i] = view.getFloat64(o, true); break;
      case TensorProto_DataType.INT64: out[i] = Number(view.getBigInt64(o, true)); break;
      case TensorProto_DataType.UINT64: out[i] = Number(view.getBigUint64(o, true)); break;
      case TensorProto_DataType.INT32: out[i] = view.getInt32(o, true); break;
      case TensorProto_DataType.UINT32: out[i] = view.getUint32(o, true); break;
      case TensorProto_DataType.INT16: out[i] = view.getInt16(o, true); break;
      case TensorProto_DataType.UINT16: out[i] = view.getUint16(o, true); break;
      case TensorProto_DataType.INT8: out[i] = view.getInt8(o); break;
      default: out[i] = view.getUint8(o); break;
    }
  }
  return out;
}

/** A TensorProto (initializer or Constant attribute) as a host constant. External data is an error: nothing is read
 * from outside the given bytes. */
export function constFromTensorProto(t: TensorProto, where: string): Const {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    const location = t.externalData.find((e) => e.key === 'location')?.value ?? '?';
    onnxFail(
      `${where}: tensor '${t.name}' keeps its data in an external file ('${location}'); importOnnx reads single-file models only ` +
        `(save the model with its weights inside: onnx.save_model(model, path, save_as_external_data=False))`,
    );
  }
  if (t.segment) onnxFail(`${where}: tensor '${t.name}' is segmented; segmented tensors are not supported`);
  const shape = t.dims.map((d) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) onnxFail(`${where}: tensor '${t.name}' has an invalid dimension ${d}`);
    return n;
  });
  const count = sizeOfShape(shape);
  const isFloat = FLOAT_TYPES.has(t.dataType);
  if (!isFloat && !INT_TYPES.has(t.dataType)) {
    onnxFail(`${where}: tensor '${t.name}' has element type ${dataTypeName(t.dataType)}; supported: FLOAT, DOUBLE and the integer and BOOL types`);
  }
  let data: number[];
  if (t.rawData.byteLength > 0) data = fromRaw(t.rawData, t.dataType, count, `${where}: tensor '${t.name}'`);
  else if (t.dataType === TensorProto_DataType.FLOAT) data = t.floatData;
  else if (t.dataType === TensorProto_DataType.DOUBLE) data = t.doubleData;
  else if (t.dataType === TensorProto_DataType.INT64) data = t.int64Data.map(Number);
  else if (t.dataType === TensorProto_DataType.UINT64 || t.dataType === TensorProto_DataType.UINT32) data = t.uint64Data.map(Number);
  else data = t.int32Data; // int32, int16, int8, uint16, uint8 and bool are stored in int32_data
  if (data.length !== count) {
    onnxFail(`${where}: tensor '${t.name}' of shape [${shape.join(', ')}] needs ${count} values, has ${data.length}`);
  }
  return makeConst(isFloat ? 'float' : 'int', shape, data);
}

/** NumPy's broadcast of two shapes (ONNX's multidirectional broadcasting). */
export function broadcastShapes(ctx: { where: string }, a: readonly number[], b: readonly number[]): number[] {
  try {
    return coreBroadcastShapes(ctx.where, a, b);
  } catch (err) {
    return onnxFail((err as Error).message); // core's rule and message, as this package's error type
  }
}
