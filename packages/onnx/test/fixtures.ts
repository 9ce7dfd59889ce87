/** Reads the fixtures written by scripts/make_fixtures.py: NAME.onnx and NAME.json (input, PyTorch's outputs). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

export interface Fixture {
  bytes: Uint8Array;
  opset: number;
  input: StoredTensor;
  outputs: Record<string, StoredTensor>;
  train?: { outputs: Record<string, StoredTensor>; state: Record<string, StoredTensor> };
}

export const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
export const LARGE_FIXTURES = fileURLToPath(new URL('../fixtures-large', import.meta.url));

interface RawTensor {
  shape: number[];
  base64: string;
}

function decode(t: RawTensor): StoredTensor {
  const buf = Buffer.from(t.base64, 'base64');
  const data = new Float32Array(buf.byteLength / 4);
  new Uint8Array(data.buffer).set(buf);
  return { shape: t.shape, data };
}

const decodeAll = (r: Record<string, RawTensor>): Record<string, StoredTensor> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, decode(v)]));

export function hasFixture(name: string, dir = FIXTURES): boolean {
  return existsSync(join(dir, `${name}.onnx`));
}

export function loadFixture(name: string, dir = FIXTURES): Fixture {
  const raw = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as {
    opset: number; input: RawTensor; outputs: Record<string, RawTensor>;
    train?: { outputs: Record<string, RawTensor>; state: Record<string, RawTensor> };
  };
  return {
    bytes: new Uint8Array(readFileSync(join(dir, `${name}.onnx`))),
    opset: raw.opset,
    input: decode(raw.input),
    outputs: decodeAll(raw.outputs),
    train: raw.train && { outputs: decodeAll(raw.train.outputs), state: decodeAll(raw.train.state) },
  };
}
