/**
 * ONNX's own operator tests, as laid out by onnx/backend/test/data/node (Debian's libonnx-testdata):
 * `test_NAME/model.onnx` and `test_NAME/test_data_set_K/{input,output}_I.pb` (one TensorProto each). Node only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { TensorProto_DataType as DT, TensorProtoSchema, type TensorProto } from '../generated/onnx.proto3_pb.js';

/** Where Debian's libonnx-testdata puts the node tests. */
export const DEFAULT_TEST_DATA = '/usr/share/libonnx-testdata/data/node';

export interface OperatorTestCase {
  readonly name: string;
  readonly dir: string;
  readonly modelPath: string;
  /** One entry per test_data_set_K directory, inputs and outputs in file order. */
  readonly dataSets: readonly { readonly name: string; readonly inputs: readonly string[]; readonly outputs: readonly string[] }[];
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => join(dir, f));
}

/** Every test directory under `root` with a model.onnx, sorted by name. */
export function listOperatorTests(root: string = DEFAULT_TEST_DATA): OperatorTestCase[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'model.onnx')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const dataSets = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name.startsWith('test_data_set_'))
        .map((e) => e.name)
        .sort()
        .map((set) => ({ name: set, inputs: numbered(join(dir, set), 'input_'), outputs: numbered(join(dir, set), 'output_') }));
      return { name, dir, modelPath: join(dir, 'model.onnx'), dataSets };
    });
}

export function readTensorProto(path: string): TensorProto {
  return fromBinary(TensorProtoSchema, new Uint8Array(readFileSync(path)));
}

/** Element types the importer carries (float32 compute; integers and bool as int32). */
export const CARRIED_TYPES: ReadonlySet<number> = new Set<number>([
  DT.FLOAT, DT.DOUBLE, DT.INT64, DT.INT32, DT.INT16, DT.INT8, DT.UINT8, DT.UINT16, DT.UINT32, DT.UINT64, DT.BOOL,
]);
