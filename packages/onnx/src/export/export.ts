/**
 * exportOnnx: one eval-mode forward pass, traced at the kernel level (./tracer.ts), written as an ONNX model whose
 * initializers carry the module's state-dict names.
 */
import { isGradEnabled, tidy, zeros, type nn, type Tensor } from '@cnn/core';
import { OnnxError } from '../errors.js';
import { onnxType } from './graph.js';
import { serialize } from './serialize.js';
import { Tracer } from './tracer.js';

/** Opsets the exporter writes (each operator's signature at that opset). */
export const EXPORT_MIN_OPSET = 9;
export const EXPORT_MAX_OPSET = 18;

export interface ExportOnnxOptions {
  /** The input's shape, batch included (e.g. [1, 3, 224, 224]). The graph is exported for exactly this shape. */
  inputShape: readonly number[];
  /** ONNX opset to write, 9…18. Default 13. */
  opset?: number;
  /** Graph name in the file. Default: the module's type name. */
  graphName?: string;
}

/**
 * Exports `module` as ONNX: runs `module.forward` once in eval mode on a zero input of `inputShape` and writes what it
 * computed. The graph has one input `input` and one output `output`; parameters and buffers are initializers named
 * as in `module.stateDict()` (all of them, also those the forward does not read). The module's train/eval mode is
 * restored afterwards. Data-dependent control flow in a forward is exported as the branch the zero input took.
 */
export async function exportOnnx(module: nn.Module, options: ExportOnnxOptions): Promise<Uint8Array> {
  const opset = options.opset ?? 13;
  if (!Number.isInteger(opset) || opset < EXPORT_MIN_OPSET || opset > EXPORT_MAX_OPSET) {
    throw new OnnxError(`exportOnnx: opset must be an integer in [${EXPORT_MIN_OPSET}, ${EXPORT_MAX_OPSET}], got ${String(opset)}`);
  }
  const shape = [...(options.inputShape ?? [])];
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new OnnxError(`exportOnnx: inputShape must be a non-empty list of positive integers, got ${JSON.stringify(options.inputShape)}`);
  }
  const state = Object.entries(module.stateDict());
  const x = zeros(shape);
  const backend = state[0]?.[1].backend ?? x.backend;
  if (x.backend !== backend) {
    x.dispose();
    throw new OnnxError(`exportOnnx: the module lives on backend '${backend.name}' but the active backend is '${x.backend.name}'; setBackend('${backend.name}') first`);
  }
  const tracer = new Tracer(backend, opset);
  const { g } = tracer;
  const named = new Map<string, Tensor>();
  for (const [name, t] of state) {
    if (tracer.lookup(t.dataId)) continue; // tied weights: the first name holds the data
    tracer.define(t.dataId, { name, shape: t.shape, dtype: t.dtype });
    g.initializer(name, t.shape, onnxType(t.dtype), null);
    named.set(name, t);
  }
  tracer.define(x.dataId, { name: 'input', shape, dtype: 'float32' });

  const modes = module.namedModules().map(([, m]) => [m, m.training] as const);
  module.eval();
  // Gradient recording on an input that requires grad keeps core from fusing conv + batch norm into folded weights
  // (fusion only runs when nothing is recorded), so every parameter reaches the graph under its own name.
  x.requiresGrad = isGradEnabled();
  let y: Tensor | null = null;
  let outName: string;
  let outShape: readonly number[];
  let outType: number;
  try {
    tracer.install();
    try {
      // tidy: a forward that leaves its intermediates to the caller leaks nothing here.
      y = tidy(() => module.forward(x));
      outName = tracer.use(y);
      outShape = y.shape;
      outType = onnxType(y.dtype);
    } finally {
      tracer.stopRecording();
      y?.dispose();
      x.dispose();
      for (const [m, training] of modes) m.training = training;
    }
    for (const [name, t] of named) g.initializers.get(name)!.data = (await t.data()) as Float32Array | Int32Array;
    for (const p of tracer.pendingReads) {
      const data = await backend.read(p.dataId);
      g.initializers.get(p.name)!.data = p.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    }
  } finally {
    tracer.uninstall();
  }
  renameOutput(tracer, outName, 'output');
  return serialize(g, {
    graphName: options.graphName ?? module.typeName,
    inputs: [{ name: 'input', shape, dataType: onnxType('float32') }],
    outputs: [{ name: 'output', shape: outShape, dataType: outType }],
    keep: new Set(named.keys()),
    producerVersion: '0.1.0',
  });
}

/** Gives the graph output its name: the producing node's output is renamed, or an Identity is added when the output
 * is the input or an initializer itself. */
function renameOutput(tracer: Tracer, from: string, to: string): void {
  const { g } = tracer;
  const producer = g.nodes.find((n) => n.outputs.includes(from));
  if (!producer || g.initializers.has(from)) {
    g.node('Identity', [from], {}, [to]);
    return;
  }
  for (const n of g.nodes) {
    n.outputs = n.outputs.map((o) => (o === from ? to : o));
    n.inputs = n.inputs.map((i) => (i === from ? to : i));
  }
}
