/** The `cnn-conformance/1` file format (see the package README and shared/conformance-format.md). */
/** Element type of a tensor in a file: float32 unless stated (integer outputs such as argmax's are `int32`). */
export type TensorDType = 'float32' | 'int32';

export interface TensorJson {
  shape: number[];
  /** Absent means float32. */
  dtype?: TensorDType;
  data?: number[];
  /** Base64 of little-endian float32 (int32 when `dtype` is `int32`), in place of `data`. */
  dataB64?: string;
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface ConformanceCase {
  name: string;
  op: string;
  attrs?: Record<string, unknown>;
  inputs: Record<string, TensorJson>;
  outputs: TensorJson[];
  gradOutputs?: TensorJson[];
  grads?: Record<string, TensorJson>;
  tolerance?: Tolerance;
}

export interface ConformanceFile {
  format: string;
  generator?: string;
  cases: ConformanceCase[];
}

export const FORMAT = 'cnn-conformance/1';
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };
/** Integer tensors are compared exactly, whatever the case's tolerance. */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

function fromBase64(b64: string, dtype: TensorDType): Float32Array | Int32Array {
  const bin = typeof Buffer !== 'undefined' ? Buffer.from(b64, 'base64') : Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bytes = new Uint8Array(bin.byteLength);
  bytes.set(bin);
  const view = new DataView(bytes.buffer);
  const n = Math.floor(bytes.byteLength / 4);
  if (dtype === 'int32') return Int32Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true));
  return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
}

/** The tensor's element type; an unknown one is an error that names it. */
export function tensorDType(t: TensorJson, what: string): TensorDType {
  const dtype = t?.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${what}: dtype ${JSON.stringify(dtype)} is not supported (float32, int32)`);
  return dtype;
}

function int32Array(data: number[], what: string): Int32Array {
  const bad = data.findIndex((v) => !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31);
  if (bad >= 0) throw new Error(`${what}: int32 tensor holds ${JSON.stringify(data[bad])} at index ${bad}, not an int32`);
  return Int32Array.from(data);
}

/** Decodes a tensor's values (either encoding, float32 or int32 as its dtype says) and checks they fill its shape. */
export function tensorData(t: TensorJson, what: string): Float32Array | Int32Array {
  if (!t || !Array.isArray(t.shape)) throw new Error(`${what}: tensor has no shape`);
  const dtype = tensorDType(t, what);
  let values: Float32Array | Int32Array | null = null;
  if (t.dataB64 !== undefined) values = fromBase64(t.dataB64, dtype);
  else if (Array.isArray(t.data)) values = dtype === 'int32' ? int32Array(t.data, what) : Float32Array.from(t.data);
  if (!values) throw new Error(`${what}: tensor has neither data nor dataB64`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`${what}: ${values.length} values for shape [${t.shape.join(', ')}] (${size} elements)`);
  return values;
}

/** Decodes a float32 tensor's values (either encoding) and checks they fill its shape. */
export function tensorValues(t: TensorJson, what: string): Float32Array {
  const values = tensorData(t, what);
  if (!(values instanceof Float32Array)) throw new Error(`${what}: expected a float32 tensor, got dtype int32`);
  return values;
}

/** Parses and checks the top level of a conformance file. */
export function parseConformanceFile(text: string, source: string): ConformanceFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const f = json as ConformanceFile;
  if (!f || typeof f !== 'object' || f.format !== FORMAT) {
    throw new Error(`${source}: not a ${FORMAT} file (format is ${JSON.stringify((f as { format?: unknown })?.format)})`);
  }
  if (!Array.isArray(f.cases)) throw new Error(`${source}: "cases" must be a list`);
  return f;
}
