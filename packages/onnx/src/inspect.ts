/**
 * Looking at an ONNX file without running it, for programs that load one (the CLI, the web app): its inputs and
 * outputs with their declared shapes, its nodes, its `metadata_props` (where cnn keeps class names and input
 * normalisation next to the graph, as `cnn.meta`), and the shape of every node's output for a given input.
 * Browser-safe: bytes in, bytes out.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { noGrad, zeros, type Tensor } from '@cnn/core';
import { onnxFail, OnnxError } from './errors.js';
import { ModelProtoSchema, StringStringEntryProtoSchema, ValueInfoProtoSchema, type ModelProto, type ValueInfoProto } from './generated/onnx.proto3_pb.js';
import { importOnnx } from './import.js';

/** A graph input or output: its name and declared shape (null for a symbolic dim such as a batch 'N'; the whole
 * shape null when the file declares none). */
export interface OnnxValueInfo {
  name: string;
  shape: (number | null)[] | null;
}

export interface OnnxNodeInfo {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Elements of the float initializers this node is the first to read (its weights, in a layer table). */
  params: number;
}

export interface OnnxInfo {
  /** Default-domain opset (null when the file imports none). */
  opset: number | null;
  /** 'producer_name producer_version', e.g. 'pytorch 1.13.1' ('' when not recorded). */
  producer: string;
  /** Inputs the caller feeds (graph inputs that are not initializers). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNodeInfo[];
  /** The model's metadata_props, key → value. */
  metadata: Record<string, string>;
  /** Elements of all float initializers (parameters and BatchNormalization statistics). */
  initializerElements: number;
}

/** `metadata_props` key under which cnn keeps a model's class names, input shape and normalisation (JSON, the same
 * record as a .safetensors model file's `cnn.meta`). */
export const ONNX_META_KEY = 'cnn.meta';

const FLOAT_TYPES = new Set([1, 10, 11, 16]); // FLOAT, FLOAT16, DOUBLE, BFLOAT16

function decode(bytes: Uint8Array, where: string): ModelProto {
  if (!(bytes instanceof Uint8Array)) onnxFail(`${where}: expected the model file as a Uint8Array`);
  if (bytes.byteLength === 0) onnxFail(`${where}: the model file is empty`);
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (err) {
    throw new OnnxError(`${where}: not a valid ONNX model (protobuf decoding failed: ${(err as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0) onnxFail(`${where}: not a valid ONNX model (no graph with nodes; is this an ONNX file?)`);
  return model;
}

function valueInfo(v: ValueInfoProto): OnnxValueInfo {
  const dims = v.type?.value.case === 'tensorType' ? v.type.value.value.shape?.dim : undefined;
  return { name: v.name, shape: dims ? dims.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : null)) : null };
}

/** What an ONNX file declares: inputs, outputs, nodes, metadata. Throws OnnxError on bytes that are not ONNX. */
export function readOnnxInfo(bytes: Uint8Array): OnnxInfo {
  const model = decode(bytes, 'readOnnxInfo');
  const graph = model.graph!;
  const sizes = new Map<string, number>();
  for (const t of graph.initializer) if (FLOAT_TYPES.has(t.dataType)) sizes.set(t.name, t.dims.reduce((a, d) => a * Number(d), 1));
  const initNames = new Set(graph.initializer.map((t) => t.name));
  const counted = new Set<string>();
  const nodes = graph.node.map((n, i) => {
    let params = 0;
    for (const name of n.input) {
      const size = sizes.get(name);
      if (size === undefined || counted.has(name)) continue;
      counted.add(name);
      params += size;
    }
    return { name: n.name || `${n.opType}_${i}`, opType: n.opType, inputs: [...n.input], outputs: [...n.output], params };
  });
  const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps) metadata[p.key] = p.value;
  return {
    opset: opset ? Number(opset.version) : null,
    producer: [model.producerName, model.producerVersion].filter((s) => s !== '').join(' '),
    inputs: graph.input.filter((i) => !initNames.has(i.name)).map(valueInfo),
    outputs: graph.output.map(valueInfo),
    nodes,
    metadata,
    initializerElements: [...sizes.values()].reduce((a, b) => a + b, 0),
  };
}

/** The same model with `props` set in its metadata_props (replacing entries with the same keys; others kept). */
export function setOnnxMetadata(bytes: Uint8Array, props: Record<string, string>): Uint8Array {
  const model = decode(bytes, 'setOnnxMetadata');
  const keys = new Set(Object.keys(props));
  model.metadataProps = [
    ...model.metadataProps.filter((p) => !keys.has(p.key)),
    ...Object.entries(props).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
  ];
  return toBinary(ModelProtoSchema, model);
}

/**
 * The output shape of every node for one input of `inputShape` (a single-input graph): the graph is imported once
 * more with every node output made a graph output, and run on zeros in eval mode without autograd. Keys are value
 * names (node outputs).
 */
export async function onnxValueShapes(bytes: Uint8Array, inputShape: readonly number[]): Promise<Map<string, number[]>> {
  const model = decode(bytes, 'onnxValueShapes');
  const graph = model.graph!;
  const declared = new Set(graph.output.map((o) => o.name));
  for (const n of graph.node) {
    for (const name of n.output) {
      if (name === '' || declared.has(name)) continue;
      declared.add(name);
      graph.output.push(create(ValueInfoProtoSchema, { name }));
    }
  }
  const all = (await importOnnx(toBinary(ModelProtoSchema, model))).eval();
  if (all.inputNames.length !== 1) onnxFail(`onnxValueShapes: the graph has ${all.inputNames.length} inputs (${all.inputNames.join(', ')}); expected one`);
  const x = zeros([...inputShape]);
  let outs: Record<string, Tensor> = {};
  try {
    outs = noGrad(() => all.forwardAll({ [all.inputNames[0]]: x }));
    return new Map(Object.entries(outs).map(([name, t]) => [name, [...t.shape]]));
  } finally {
    for (const t of new Set(Object.values(outs))) if (t !== x) t.dispose();
    x.dispose();
    all.dispose();
  }
}
