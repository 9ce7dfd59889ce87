/**
 * The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number — two zero bytes, a
 * dtype byte and the number of dimensions — then one big-endian uint32 size per dimension, then the values,
 * big-endian, row-major. This module only parses bytes; reading files (and gunzipping them) lives in the Node entry.
 */
import { CnnError } from '@cnn/core';

export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  /** Values in host byte order: Uint8Array for 'uint8', Int8Array, Int16Array, Int32Array, Float32Array, Float64Array. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const DTYPES: Record<number, { name: IdxDType; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/** Raised for any unreadable IDX input; the message always names the file. */
export class IdxError extends CnnError {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'IdxError';
  }
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an (uncompressed) IDX buffer. `name` is used in error messages. With `expect`, the dtype and rank are
 * checked too (e.g. `{ dtype: 'uint8', rank: 3 }` for an images file).
 */
export function parseIdx(bytes: Uint8Array, name = '<idx>', expect: { dtype?: IdxDType; rank?: number } = {}): IdxArray {
  if (isGzip(bytes)) throw new IdxError(name, 'is gzip-compressed; gunzip it first (readIdxFile in @cnn/models/node does this)');
  if (bytes.length < 4) throw new IdxError(name, `is truncated: ${bytes.length} bytes, shorter than the 4-byte IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new IdxError(name, `is not an IDX file: wrong magic number ${magic} (expected 00 00 <dtype> <rank>)`);
  }
  const dt = DTYPES[bytes[2]];
  if (!dt) throw new IdxError(name, `is corrupt: unknown IDX dtype byte 0x${bytes[2].toString(16).padStart(2, '0')}`);
  const rank = bytes[3];
  if (rank === 0) throw new IdxError(name, 'is corrupt: the header declares 0 dimensions');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new IdxError(name, `is truncated: ${bytes.length} bytes, shorter than its ${headerBytes}-byte header (${rank} dimensions)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const payload = bytes.length - headerBytes;
  const need = count * dt.bytes;
  if (payload < need) {
    throw new IdxError(name, `is truncated: header says ${dt.name} [${shape.join(', ')}] (${need} data bytes) but only ${payload} follow`);
  }
  if (payload > need) {
    throw new IdxError(name, `has a size mismatch: header says ${dt.name} [${shape.join(', ')}] (${need} data bytes) but ${payload} follow`);
  }
  if (expect.dtype && expect.dtype !== dt.name) throw new IdxError(name, `holds ${dt.name} values, expected ${expect.dtype}`);
  if (expect.rank !== undefined && expect.rank !== rank) {
    throw new IdxError(name, `has ${rank} dimensions [${shape.join(', ')}], expected ${expect.rank}`);
  }
  let data: IdxArray['data'];
  switch (dt.name) {
    case 'uint8':
      data = bytes.slice(headerBytes); // a copy, so the caller may drop the file buffer
      break;
    case 'int8':
      data = new Int8Array(bytes.slice(headerBytes).buffer);
      break;
    default: {
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dt.name];
      const out = new Ctor(count);
      for (let i = 0; i < count; i++) {
        const o = headerBytes + i * dt.bytes;
        out[i] =
          dt.name === 'int16' ? view.getInt16(o, false)
          : dt.name === 'int32' ? view.getInt32(o, false)
          : dt.name === 'float32' ? view.getFloat32(o, false)
          : view.getFloat64(o, false);
      }
      data = out;
    }
  }
  return { dtype: dt.name, shape, data };
}

/** Encodes an IDX buffer (big-endian), the inverse of parseIdx; used by tests and to cache converted datasets. */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const entry = Object.entries(DTYPES).find(([, d]) => d.name === arr.dtype);
  if (!entry) throw new CnnError(`encodeIdx: unknown dtype ${String(arr.dtype)}`);
  const [code, dt] = entry;
  const headerBytes = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(headerBytes + arr.data.length * dt.bytes);
  const view = new DataView(out.buffer);
  out[2] = Number(code);
  out[3] = arr.shape.length;
  arr.shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  for (let i = 0; i < arr.data.length; i++) {
    const o = headerBytes + i * dt.bytes;
    const v = Number(arr.data[i]);
    if (dt.name === 'uint8') out[o] = v;
    else if (dt.name === 'int8') view.setInt8(o, v);
    else if (dt.name === 'int16') view.setInt16(o, v, false);
    else if (dt.name === 'int32') view.setInt32(o, v, false);
    else if (dt.name === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}
