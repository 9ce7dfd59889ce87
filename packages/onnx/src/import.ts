/** importOnnx: bytes → checked graph → OnnxModel. Every check runs before any tensor is computed. */
import { fromBinary } from '@bufbuild/protobuf';
import { Attributes } from './attributes.js';
import { onnxFail, OnnxError } from './errors.js';
import { ModelProtoSchema, type GraphProto, type ModelProto } from './generated/onnx.proto3_pb.js';
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

function opsetOf(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!entry) onnxFail('importOnnx: the model imports no default-domain (ai.onnx) opset');
  const opset = Number(entry.version);
  if (opset < MIN_OPSET || opset > MAX_OPSET) onnxFail(`importOnnx: opset ${opset} is not supported (supported: ${MIN_OPSET} to ${MAX_OPSET})`);
  return opset;
}

/** One error naming every unsupported operator type with its nodes, before anything runs. */
function checkOperators(graph: GraphProto, opset: number): void {
  const missing = new Map<string, string[]>();
  graph.node.forEach((n, i) => {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    const key = domain ? `${domain}.${n.opType}` : n.opType;
    if (domain === '' && Object.prototype.hasOwnProperty.call(OPS, n.opType)) return;
    const list = missing.get(key) ?? [];
    list.push(n.name || `#${i} (output '${n.output[0] ?? ''}')`);
    missing.set(key, list);
  });
  if (missing.size === 0) return;
  const lines = [...missing].map(([op, nodes]) => `  ${op}: ${nodes.length} node${nodes.length > 1 ? 's' : ''} (${nodes.slice(0, 5).join(', ')}${nodes.length > 5 ? ', …' : ''})`);
  onnxFail(`importOnnx: unsupported ONNX operator${missing.size > 1 ? 's' : ''} at opset ${opset}:\n${lines.join('\n')}\nSupported: ${Object.keys(OPS).sort().join(', ')}`);
}

function prepare(model: ModelProto): PreparedGraph {
  const graph = model.graph!;
  const opset = opsetOf(model);
  if (graph.sparseInitializer.length > 0) onnxFail('importOnnx: sparse initializers are not supported');
  checkOperators(graph, opset);

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
  return { name: graph.name, opset, nodes: graph.node, inputs, outputs, constants, initializerValues, tensors, folded };
}

/**
 * Imports an ONNX model (the bytes of a .onnx file) as an nn.Module. Nothing in the file is evaluated as code: the
 * graph is data, read by a protobuf decoder and run operator by operator on the current backend.
 */
export async function importOnnx(bytes: Uint8Array): Promise<OnnxModel> {
  return new OnnxModel(prepare(decode(bytes)));
}
