/** importOnnx: bytes → checked graph → OnnxModel. Every check runs before any tensor is computed. */
import { fromBinary } from '@bufbuild/protobuf';
import { Attributes } from './attributes.js';
import { onnxFail, OnnxError, OnnxUnsupportedError, type UnsupportedNode } from './errors.js';
import { ModelProtoSchema, type GraphProto, type ModelProto, type NodeProto } from './generated/onnx.proto3_pb.js';
import { OnnxModel, type PreparedGraph } from './model.js';
import type { OpContext } from './ops/context.js';
import { OPS } from './ops/index.js';
import { constFromTensorProto, type Const } from './values.js';

/** The default-domain opsets this importer reads (operator signatures that changed in between are handled). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

function decode(bytes: Uint8Array): ModelProto {
  if (!(bytes instanceof Uint8Array)) onnxFail('importOnnx: expected the model file as a Uint8Array');
  if (bytes.byteLength === 0) onnxFail('importOnnx: the model file is empty');
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (err) {
    throw new OnnxError(`importOnnx: not a valid ONNX model (protobuf decoding failed: ${(err as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0) {
    onnxFail('importOnnx: not a valid ONNX model (no graph with nodes; is this an ONNX file?)');
  }
  return model;
}

/**
 * Below opset 7 only operators whose definition has not changed since (the opset of their last change ≤ the model's):
 * arithmetic, Gemm, BatchNormalization and Dropout changed at 7 (broadcasting, is_test), most activations at 6.
 */
const UNCHANGED_SINCE: Readonly<Record<string, number>> = {
  AveragePool: 1, Concat: 4, Constant: 1, Conv: 1, ConvTranspose: 1, Flatten: 1, Gather: 1, GlobalAveragePool: 1,
  GlobalMaxPool: 1, Identity: 1, LogSoftmax: 1, MatMul: 1, MaxPool: 1, ReduceMean: 1, Reshape: 5, Shape: 1, Slice: 1,
  Softmax: 1, Split: 2, Squeeze: 1, Transpose: 1, Unsqueeze: 1, Pad: 2, Cast: 6, Clip: 6, Elu: 6, HardSigmoid: 6,
  LeakyRelu: 6, Relu: 6, Sigmoid: 6, Sum: 6, Tanh: 6, Abs: 6, Exp: 6, Log: 6, Neg: 6, Reciprocal: 6, Sqrt: 6,
  InstanceNormalization: 6, Tile: 6, Not: 1, Softplus: 1, ArgMax: 1, ArgMin: 1, DepthToSpace: 1, SpaceToDepth: 1,
  ReduceSum: 1, ReduceMax: 1, ReduceMin: 1, ReduceSumSquare: 1, ReduceL1: 1, ReduceL2: 1, ReduceLogSum: 1,
  ReduceLogSumExp: 1, Selu: 6, Softsign: 1, ThresholdedRelu: 10, Celu: 12, Sign: 9,
};

function opsetOf(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!entry) onnxFail('importOnnx: the model imports no default-domain (ai.onnx) opset');
  const opset = Number(entry.version);
  const legacy = opset >= 1 && opset < MIN_OPSET && model.graph!.node.every((n) => (UNCHANGED_SINCE[n.opType] ?? Infinity) <= opset);
  if (!legacy && (opset < MIN_OPSET || opset > MAX_OPSET)) {
    const older = opset < MIN_OPSET ? `; below ${MIN_OPSET}, only graphs of operators unchanged since: ${Object.entries(UNCHANGED_SINCE).map(([op, v]) => `${op} ${v}`).join(', ')}` : '';
    onnxFail(`importOnnx: opset ${opset} is not supported (supported: ${MIN_OPSET} to ${MAX_OPSET})${older}`);
  }
  return opset;
}

function nodeLabel(n: NodeProto, i: number): string {
  return n.name || `#${i} (output '${n.output[0] ?? ''}')`;
}

/** Operator types of the graph this package does not know. */
function unknownOperators(graph: GraphProto): UnsupportedNode[] {
  const missing = new Map<string, string[]>();
  graph.node.forEach((n, i) => {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    const key = domain ? `${domain}.${n.opType}` : n.opType;
    if (domain === '' && Object.prototype.hasOwnProperty.call(OPS, n.opType)) return;
    const list = missing.get(key) ?? [];
    list.push(nodeLabel(n, i));
    missing.set(key, list);
  });
  return [...missing].map(([opType, nodes]) => ({ opType, nodes }));
}

/** Nodes of known operators whose options are out of scope (each operator's own `unsupported` check). */
function unsupportedOptions(graph: GraphProto, opset: number, known: ReadonlyMap<string, Const>, ranks: ReadonlyMap<string, number>): UnsupportedNode[] {
  const byReason = new Map<string, { opType: string; reason: string; nodes: string[] }>();
  graph.node.forEach((n, index) => {
    const impl = OPS[n.opType];
    if (!impl?.unsupported) return;
    const where = `${n.opType} node '${n.name || n.output[0]}'`;
    const given = (i: number): string | undefined => (n.input[i] ? n.input[i] : undefined);
    const reason = impl.unsupported({
      where, opType: n.opType, opset, attrs: new Attributes(where, n),
      numInputs: n.input.length, numOutputs: n.output.filter((o) => o !== '').length,
      hasInput: (i) => given(i) !== undefined,
      constant: (i) => (given(i) === undefined ? undefined : known.get(n.input[i])),
      rank: (i) => {
        const name = given(i);
        if (name === undefined) return undefined;
        return known.get(name)?.shape.length ?? ranks.get(name);
      },
    });
    if (reason === undefined) return;
    const key = `${n.opType}\u0000${reason}`;
    const entry = byReason.get(key) ?? { opType: n.opType, reason, nodes: [] };
    entry.nodes.push(nodeLabel(n, index));
    byReason.set(key, entry);
  });
  return [...byReason.values()];
}

/** One error naming every unsupported operator type and option with its nodes, before anything runs. */
function failUnsupported(items: UnsupportedNode[], opset: number): void {
  if (items.length === 0) return;
  const list = (nodes: readonly string[]): string => `${nodes.length} node${nodes.length > 1 ? 's' : ''} (${nodes.slice(0, 5).join(', ')}${nodes.length > 5 ? ', …' : ''})`;
  const ops = items.filter((u) => !u.reason);
  const options = items.filter((u) => u.reason);
  const parts: string[] = [];
  if (ops.length) {
    parts.push(`unsupported ONNX operator${ops.length > 1 ? 's' : ''} at opset ${opset}:\n${ops.map((u) => `  ${u.opType}: ${list(u.nodes)}`).join('\n')}\nSupported: ${Object.keys(OPS).sort().join(', ')}`);
  }
  if (options.length) {
    parts.push(`unsupported operator options at opset ${opset}:\n${options.map((u) => `  ${u.opType} with ${u.reason}: ${list(u.nodes)}`).join('\n')}`);
  }
  throw new OnnxUnsupportedError(`importOnnx: ${parts.join('\n')}`, items);
}

function prepare(model: ModelProto): PreparedGraph {
  const graph = model.graph!;
  const opset = opsetOf(model);
  if (graph.sparseInitializer.length > 0) onnxFail('importOnnx: sparse initializers are not supported');
  const unknown = unknownOperators(graph);
  failUnsupported(unknown, opset);

  const initializers = new Map<string, Const>();
  for (const t of graph.initializer) initializers.set(t.name, constFromTensorProto(t, 'importOnnx: initializer'));
  const inputs = graph.input
    .filter((i) => !initializers.has(i.name))
    .map((i) => {
      const dims = i.type?.value.case === 'tensorType' ? i.type.value.value.shape?.dim : undefined;
      const shape = dims ? dims.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : null)) : null;
      return { name: i.name, shape };
    });
  const outputs = graph.output.map((o) => o.name);

  // Every input of every node must exist before it (nodes are topologically sorted in a valid model).
  const known = new Set<string>([...inputs.map((i) => i.name), ...initializers.keys()]);
  for (const n of graph.node) {
    const where = `${n.opType} node '${n.name || n.output[0]}'`;
    for (const name of n.input) {
      if (name !== '' && !known.has(name)) {
        onnxFail(`importOnnx: ${where} reads '${name}', which is no graph input, initializer or earlier node's output (a missing initializer, or nodes out of order)`);
      }
    }
    for (const name of n.output) if (name !== '') known.add(name);
  }
  for (const name of outputs) if (!known.has(name)) onnxFail(`importOnnx: graph output '${name}' is produced by no node`);

  // Float initializers are the model's tensors: running statistics of BatchNormalization are buffers, those only
  // read as constants (scales, pads) stay host values, the rest are parameters. Integer ones are host constants.
  const bufferNames = new Set<string>();
  const tensorUse = new Set<string>();
  for (const n of graph.node) {
    const constPositions = new Set(OPS[n.opType].constInputs ?? []);
    n.input.forEach((name, i) => {
      if (n.opType === 'BatchNormalization' && (i === 3 || i === 4)) bufferNames.add(name);
      if (!constPositions.has(i)) tensorUse.add(name);
    });
  }
  const constants = new Map<string, Const>();
  const initializerValues = new Map<string, Const>();
  const tensors: [string, Const, 'parameter' | 'buffer'][] = [];
  for (const [name, c] of initializers) {
    if (c.dtype === 'float' && tensorUse.has(name)) {
      tensors.push([name, c, bufferNames.has(name) ? 'buffer' : 'parameter']);
      initializerValues.set(name, c);
    } else {
      constants.set(name, c);
    }
  }

  // Fold at import every node whose inputs are all constants and that has a host form.
  const folded = new Set<number>();
  graph.node.forEach((n, index) => {
    const impl = OPS[n.opType];
    const ins = n.input.map((name) => (name === '' ? undefined : constants.get(name)));
    if (!impl.host || n.input.some((name, i) => name !== '' && ins[i] === undefined)) return;
    const where = `${n.opType} node '${n.name || n.output[0]}'`;
    const ctx: OpContext = {
      where, opType: n.opType, opset, attrs: new Attributes(where, n), training: false,
      numInputs: n.input.length, numOutputs: n.output.filter((o) => o !== '').length,
      input: (i) => ins[i], constInput: (i) => ins[i], tensorInput: () => onnxFail(`${where}: internal error: folding needs no tensors`),
    };
    const outs = impl.host(ctx, ins);
    n.output.forEach((name, i) => {
      if (name !== '' && outs[i]) constants.set(name, outs[i]);
    });
    folded.add(index);
  });
  const ranks = new Map<string, number>();
  for (const i of inputs) if (i.shape) ranks.set(i.name, i.shape.length);
  for (const [name, c] of initializers) ranks.set(name, c.shape.length);
  failUnsupported(unsupportedOptions(graph, opset, new Map([...initializers, ...constants]), ranks), opset);
  return { name: graph.name, opset, nodes: graph.node, inputs, outputs, constants, initializerValues, tensors, folded };
}

/**
 * Imports an ONNX model (the bytes of a .onnx file) as an nn.Module. Nothing in the file is evaluated as code: the
 * graph is data, read by a protobuf decoder and run operator by operator on the current backend.
 */
export async function importOnnx(bytes: Uint8Array): Promise<OnnxModel> {
  return new OnnxModel(prepare(decode(bytes)));
}
