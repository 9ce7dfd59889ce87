/**
 * Writes a traced graph as ONNX ModelProto bytes: only the nodes the output depends on (a trace also records work
 * the output never reads), every initializer those nodes read, and every named (state-dict) initializer even when
 * unused, so that the file carries the whole state dict under its names.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { OnnxError } from '../errors.js';
import {
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../generated/onnx.proto3_pb.js';
import type { Attr, GraphBuilder, Initializer } from './graph.js';

export interface GraphIO {
  name: string;
  shape: readonly number[];
  dataType: number;
}

/** The IR version that goes with each opset (ONNX's versioning table): 9 → 4 … 15–18 → 8. */
export function irVersionFor(opset: number): number {
  if (opset <= 9) return 4;
  if (opset === 10) return 5;
  if (opset === 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  return 9;
}

function attribute(name: string, a: Attr): AttributeProto {
  if ('i' in a) return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(a.i) });
  if ('f' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: a.f });
  if ('ints' in a) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: a.ints.map((v) => BigInt(v)) });
  if ('floats' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: [...a.floats] });
  return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(a.s) });
}


function tensorProto(init: Initializer): TensorProto {
  if (!init.data) throw new OnnxError(`export: initializer '${init.name}' has no data`);
  const d = init.data;
  // raw_data is little-endian; typed arrays are in the platform's order, little-endian on every supported platform.
  const raw = new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  return create(TensorProtoSchema, { name: init.name, dims: init.dims.map((v) => BigInt(v)), dataType: init.dataType, rawData: raw });
}

function valueInfo(io: GraphIO): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name: io.name,
    type: {
      value: {
        case: 'tensorType',
        value: { elemType: io.dataType, shape: { dim: io.shape.map((v) => ({ value: { case: 'dimValue' as const, value: BigInt(v) } })) } },
      },
    },
  });
}

export interface SerializeOptions {
  graphName: string;
  inputs: GraphIO[];
  outputs: GraphIO[];
  /** Initializers written even when no node reads them (the state dict). */
  keep: ReadonlySet<string>;
  producerVersion: string;
}

export function serialize(g: GraphBuilder, opts: SerializeOptions): Uint8Array {
  const needed = new Set(opts.outputs.map((o) => o.name));
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.inputs) if (x) needed.add(x);
  }
  kept.reverse();
  const bad = kept.filter((n) => n.unsupported).map((n) => n.unsupported!);
  if (bad.length) throw new OnnxError(`export: the forward pass uses operations with no ONNX form: ${[...new Set(bad)].join('; ')}`);
  const nodes: NodeProto[] = kept.map((n, i) =>
    create(NodeProtoSchema, {
      name: `${n.opType}_${i}`,
      opType: n.opType,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
    }),
  );
  const initializer = [...g.initializers.values()].filter((t) => opts.keep.has(t.name) || needed.has(t.name)).map(tensorProto);
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(irVersionFor(g.opset)),
    producerName: '@cnn/onnx',
    producerVersion: opts.producerVersion,
    opsetImport: [{ domain: '', version: BigInt(g.opset) }],
    graph: {
      name: opts.graphName,
      node: nodes,
      initializer,
      input: opts.inputs.map(valueInfo),
      output: opts.outputs.map(valueInfo),
    },
  });
  return toBinary(ModelProtoSchema, model);
}
