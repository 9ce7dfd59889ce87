/** The `cnn-conformance/1` file format (see the package README and shared/conformance-format.md). */
export interface TensorJson {
  shape: number[];
  data?: number[];
  /** Base64 of little-endian float32, in place of `data`. */
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

function fromBase64(b64: string): Float32Array {
  const bin = typeof Buffer !== 'undefined' ? Buffer.from(b64, 'base64') : Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bytes = new Uint8Array(bin.byteLength);
  bytes.set(bin);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Decodes a tensor's values (either encoding) and checks they fill its shape. */
export function tensorValues(t: TensorJson, what: string): Float32Array {
  if (!t || !Array.isArray(t.shape)) throw new Error(`${what}: tensor has no shape`);
  const values = t.dataB64 !== undefined ? fromBase64(t.dataB64) : Array.isArray(t.data) ? Float32Array.from(t.data) : null;
  if (!values) throw new Error(`${what}: tensor has neither data nor dataB64`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`${what}: ${values.length} values for shape [${t.shape.join(', ')}] (${size} elements)`);
  return values;
}

/** Parses and checks the top level of a conformance file. */
export function parseConformanceFile(text: string, source: string): ConformanceFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const f = json as ConformanceFile;
  if (!f || typeof f !== 'object' || f.format !== FORMAT) {
    throw new Error(`${source}: not a ${FORMAT} file (format is ${JSON.stringify((f as { format?: unknown })?.format)})`);
  }
  if (!Array.isArray(f.cases)) throw new Error(`${source}: "cases" must be a list`);
  return f;
}
