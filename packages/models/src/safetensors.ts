/**
 * The safetensors format (https://github.com/huggingface/safetensors), in memory: an 8-byte little-endian unsigned
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {…} }`
 * (offsets relative to the data that follows the header), then the raw little-endian tensor bytes. Files go through
 * saveSafetensors / loadSafetensors in '@cnn/models/node'.
 */
import { CnnError, type Tensor } from '@cnn/core';

export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** A decoded tensor. Floats decode to Float32Array (F32, F16, BF16) or Float64Array (F64); I64 decodes to a
 * Float64Array of exact integers (values beyond ±2^53 are rejected); I32/I16/I8/U8/BOOL to the matching typed array. */
export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
}

export interface DecodedSafetensors {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

export interface EncodeOptions {
  /** How int32 tensors are stored: 'I64' (default; PyTorch's dtype for num_batches_tracked and indices) or 'I32'. */
  intDtype?: 'I64' | 'I32';
}

const ITEM: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Headers beyond this are rejected as corrupt (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

function fail(op: string, message: string): never {
  throw new CnnError(`${op}: ${message}`);
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Encodes tensors (read from their backend) and optional string metadata as safetensors bytes. Tensors are laid out
 * in the dict's order; the header is padded with spaces to a multiple of 8 bytes, as the reference writer does. */
export async function encodeSafetensors(
  dict: Record<string, Tensor | SafetensorsEntry>,
  metadata?: Record<string, string>,
  options: EncodeOptions = {},
): Promise<Uint8Array> {
  const op = 'encodeSafetensors';
  if (!dict || typeof dict !== 'object') fail(op, 'expects a record of name → tensor');
  const intDtype = options.intDtype ?? 'I64';
  if (intDtype !== 'I64' && intDtype !== 'I32') fail(op, `intDtype must be 'I64' or 'I32', got ${JSON.stringify(intDtype)}`);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) fail(op, 'metadata must be a record of string → string');
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') fail(op, `metadata values must be strings; '${k}' is ${typeof v}`);
    header.__metadata__ = { ...metadata };
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(dict)) {
    if (name === '__metadata__') fail(op, "a tensor cannot be named '__metadata__'");
    let dtype: SafetensorsDType;
    let bytes: Uint8Array;
    let shape: number[];
    if (isTensorLike(t)) {
      shape = [...t.shape];
      const values = await t.data();
      if (t.dtype === 'float32') {
        dtype = 'F32';
        bytes = toLittleEndian(values instanceof Float32Array ? values : Float32Array.from(values), 4);
      } else if (intDtype === 'I32') {
        dtype = 'I32';
        bytes = toLittleEndian(values instanceof Int32Array ? values : Int32Array.from(values), 4);
      } else {
        dtype = 'I64';
        const dv = new DataView(new ArrayBuffer(values.length * 8));
        for (let i = 0; i < values.length; i++) dv.setBigInt64(i * 8, BigInt(values[i]), true);
        bytes = new Uint8Array(dv.buffer);
      }
    } else if (t && typeof t === 'object' && 'dtype' in t && 'data' in t) {
      ({ dtype, shape, bytes } = entryBytes(op, name, t));
    } else {
      fail(op, `'${name}' is not a Tensor or a { dtype, shape, data } entry`);
    }
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  let hb = new TextEncoder().encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    hb = new TextEncoder().encode(json);
  }
  const out = new Uint8Array(8 + hb.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let at = 8 + hb.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function isTensorLike(t: unknown): t is Tensor {
  return !!t && typeof t === 'object' && typeof (t as Tensor).data === 'function' && Array.isArray((t as Tensor).shape);
}

function toLittleEndian(a: Float32Array | Int32Array | Float64Array | Int16Array, size: number): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  const dv = new DataView(new ArrayBuffer(a.length * size));
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) dv.setFloat32(i * 4, a[i], true);
    else if (a instanceof Float64Array) dv.setFloat64(i * 8, a[i], true);
    else if (a instanceof Int16Array) dv.setInt16(i * 2, a[i], true);
    else dv.setInt32(i * 4, a[i], true);
  }
  return new Uint8Array(dv.buffer);
}

/** Bytes of a decoded entry, written back in its own dtype (F16/BF16 entries are written as F32). */
function entryBytes(op: string, name: string, e: SafetensorsEntry): { dtype: SafetensorsDType; shape: number[]; bytes: Uint8Array } {
  const shape = checkShape(op, name, e.shape);
  const n = shape.reduce((a, b) => a * b, 1);
  if (!e.data || e.data.length !== n) fail(op, `'${name}': ${e.data?.length} values do not fill shape [${shape.join(', ')}]`);
  switch (e.dtype) {
    case 'F64': return { dtype: 'F64', shape, bytes: toLittleEndian(Float64Array.from(e.data), 8) };
    case 'F32': case 'F16': case 'BF16': return { dtype: 'F32', shape, bytes: toLittleEndian(Float32Array.from(e.data), 4) };
    case 'I32': return { dtype: 'I32', shape, bytes: toLittleEndian(Int32Array.from(e.data), 4) };
    case 'I16': return { dtype: 'I16', shape, bytes: toLittleEndian(Int16Array.from(e.data), 2) };
    case 'I8': return { dtype: 'I8', shape, bytes: new Uint8Array(Int8Array.from(e.data).buffer) };
    case 'U8': case 'BOOL': return { dtype: e.dtype, shape, bytes: Uint8Array.from(e.data) };
    case 'I64': {
      const dv = new DataView(new ArrayBuffer(n * 8));
      for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, BigInt(e.data[i]), true);
      return { dtype: 'I64', shape, bytes: new Uint8Array(dv.buffer) };
    }
    default: return fail(op, `'${name}': unknown dtype ${JSON.stringify(e.dtype)}`);
  }
}

function checkShape(op: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    fail(op, `'${name}': shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

/**
 * Decodes safetensors bytes, validating everything before reading: the file must hold the 8-byte header length and
 * the whole header; the header must be a JSON object (at most 100 MB); every tensor needs a known dtype, a valid
 * shape and offsets inside the data whose length is exactly numel × itemsize; tensors may not overlap and must cover
 * the data completely (no holes, no trailing bytes), as the format requires.
 */
export function decodeSafetensors(bytes: Uint8Array): Record<string, SafetensorsEntry> {
  return decodeSafetensorsFile(bytes, 'decodeSafetensors').tensors;
}

/** decodeSafetensors plus the header's `__metadata__` (string → string; empty when absent). */
export function decodeSafetensorsWithMetadata(bytes: Uint8Array): DecodedSafetensors {
  return decodeSafetensorsFile(bytes, 'decodeSafetensors');
}

function decodeSafetensorsFile(bytes: Uint8Array, op: string): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) fail(op, 'expects a Uint8Array (or Buffer)');
  if (bytes.length < 8) fail(op, `truncated file: ${bytes.length} bytes, but the 8-byte header length alone needs 8`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(op, `header length ${n64} bytes is absurd (limit ${MAX_HEADER_BYTES}); not a safetensors file, or corrupt`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(op, `truncated file: the header claims ${n} bytes but only ${bytes.length - 8} follow the length field`);
  if (n < 2) fail(op, `header of ${n} bytes is too short to be a JSON object`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail(op, `the header is not valid UTF-8 JSON: ${(err as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail(op, 'the header must be a JSON object of name → { dtype, shape, data_offsets }');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: Record<string, SafetensorsEntry> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(op, '__metadata__ must be an object of string → string');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(op, `__metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(op, `'${name}': entry must be an object { dtype, shape, data_offsets }`);
    const e = raw as Record<string, unknown>;
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(ITEM, dtype)) {
      fail(op, `'${name}': unknown dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(ITEM).join(', ')}`);
    }
    const shape = checkShape(op, name, e.shape);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
      fail(op, `'${name}': data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end) fail(op, `'${name}': data_offsets [${begin}, ${end}] has begin after end`);
    if (end > dataLength) fail(op, `'${name}': data_offsets [${begin}, ${end}] lie outside the ${dataLength} bytes of data (truncated file?)`);
    const numel = shape.reduce((a, b) => a * b, 1);
    const expected = numel * ITEM[dtype as SafetensorsDType];
    if (end - begin !== expected) {
      fail(op, `'${name}': data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} of shape [${shape.join(', ')}] needs ${expected}`);
    }
    spans.push({ name, begin, end });
    tensors[name] = { dtype: dtype as SafetensorsDType, shape, data: new Float32Array(0) };
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    if (s.begin < covered) {
      const prev = spans.find((p) => p !== s && p.begin < s.end && s.begin < p.end && p.end > p.begin);
      fail(op, `'${s.name}': data_offsets [${s.begin}, ${s.end}] overlap another tensor${prev ? ` ('${prev.name}')` : ''}`);
    }
    if (s.begin > covered) fail(op, `bytes ${covered}..${s.begin} of the data belong to no tensor (the format forbids holes)`);
    covered = s.end;
  }
  if (covered !== dataLength) fail(op, `${dataLength - covered} trailing bytes after the last tensor belong to no tensor`);
  for (const s of spans) {
    const t = tensors[s.name];
    t.data = readData(op, s.name, t.dtype, bytes.subarray(dataStart + s.begin, dataStart + s.end));
  }
  return { tensors, metadata };
}

function readData(op: string, name: string, dtype: SafetensorsDType, b: Uint8Array): SafetensorsEntry['data'] {
  const copy = (): ArrayBuffer => b.slice().buffer as ArrayBuffer; // aligned, owned
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (dtype) {
    case 'F32': return LITTLE_ENDIAN ? new Float32Array(copy()) : Float32Array.from({ length: b.length / 4 }, (_, i) => dv.getFloat32(i * 4, true));
    case 'F64': return LITTLE_ENDIAN ? new Float64Array(copy()) : Float64Array.from({ length: b.length / 8 }, (_, i) => dv.getFloat64(i * 8, true));
    case 'I32': return LITTLE_ENDIAN ? new Int32Array(copy()) : Int32Array.from({ length: b.length / 4 }, (_, i) => dv.getInt32(i * 4, true));
    case 'I16': return LITTLE_ENDIAN ? new Int16Array(copy()) : Int16Array.from({ length: b.length / 2 }, (_, i) => dv.getInt16(i * 2, true));
    case 'I8': return new Int8Array(copy());
    case 'U8': case 'BOOL': return new Uint8Array(copy());
    case 'F16': return Float32Array.from({ length: b.length / 2 }, (_, i) => halfToFloat(dv.getUint16(i * 2, true)));
    case 'BF16': {
      const out = new Float32Array(b.length / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = dv.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'I64': {
      const out = new Float64Array(b.length / 8);
      for (let i = 0; i < out.length; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(-Number.MAX_SAFE_INTEGER)) fail(op, `'${name}': I64 value ${v} at index ${i} is beyond ±2^53 and cannot be represented exactly`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decoded entries as loadStateDict input ({ shape, data } values; dtype conversion happens in loadStateDict). */
export function toStateDict(tensors: Record<string, SafetensorsEntry>): Record<string, { shape: number[]; data: ArrayLike<number>; dtype: string }> {
  const out: Record<string, { shape: number[]; data: ArrayLike<number>; dtype: string }> = {};
  for (const [k, e] of Object.entries(tensors)) out[k] = { shape: e.shape, data: e.data, dtype: e.dtype };
  return out;
}
