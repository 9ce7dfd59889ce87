/** OnnxModel: an imported ONNX graph as an nn.Module whose parameters are the graph's float initializers. */
import { isGradEnabled, nn, type Tensor } from '@cnn/core';
import { Attributes } from './attributes.js';
import { onnxFail } from './errors.js';
import type { NodeProto } from './generated/onnx.proto3_pb.js';
import { constToTensor, type OpContext } from './ops/context.js';
import { OPS } from './ops/index.js';
import { isConst, type Const, type Value } from './values.js';
import { nodeRow, type NodeRow } from './summary-rows.js';

/** A graph checked and prepared by importOnnx. */
export interface PreparedGraph {
  readonly name: string;
  readonly opset: number;
  readonly nodes: readonly NodeProto[];
  /** Graph inputs the caller feeds (initializers excluded), with their declared shapes (null: symbolic dim). */
  readonly inputs: readonly { name: string; shape: readonly (number | null)[] | null }[];
  readonly outputs: readonly string[];
  /** Values known at import: integer initializers, Constant nodes and everything folded from them. */
  readonly constants: ReadonlyMap<string, Const>;
  /** Host copies of float initializers, for inputs read as constants (scales, pads). */
  readonly initializerValues: ReadonlyMap<string, Const>;
  /** Float initializers: [name, values, 'parameter' | 'buffer']. */
  readonly tensors: readonly [string, Const, 'parameter' | 'buffer'][];
  /** Indices of nodes folded at import (skipped at run time). */
  readonly folded: ReadonlySet<number>;
}

export class OnnxModel extends nn.Module {
  static readonly layerName = 'OnnxModel';
  /** The graph's opset (default domain) and the names of its inputs and outputs. */
  readonly opset: number;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly graph: PreparedGraph;
  private readonly graphTensors = new Map<string, Tensor>();
  private readonly constTensors = new Map<Const, Tensor>();
  /** Rows of the nodes run since startNodeLog (for packages/models' summary), else null. */
  private nodeLog: { rows: NodeRow[]; parameters: Set<Tensor>; seen: Set<Tensor> } | null = null;

  constructor(graph: PreparedGraph) {
    super();
    this.graph = graph;
    this.opset = graph.opset;
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = [...graph.outputs];
    for (const [name, c, kind] of graph.tensors) {
      const t = constToTensor(c);
      this.graphTensors.set(name, kind === 'parameter' ? this.registerParameter(name, t) : this.registerBuffer(name, t));
    }
  }

  /** Runs the graph on its single input and returns its single output. */
  forward(x: Tensor): Tensor {
    if (this.inputNames.length !== 1) onnxFail(`OnnxModel.forward: the graph has ${this.inputNames.length} inputs (${this.inputNames.join(', ')}); use forwardAll`);
    if (this.outputNames.length !== 1) onnxFail(`OnnxModel.forward: the graph has ${this.outputNames.length} outputs (${this.outputNames.join(', ')}); use forwardAll`);
    return this.forwardAll({ [this.inputNames[0]]: x })[this.outputNames[0]];
  }

  /** Runs the graph on named inputs; returns every graph output by name. */
  forwardAll(inputs: Record<string, Tensor>): Record<string, Tensor> {
    const g = this.graph;
    const values = new Map<string, Value>();
    for (const { name, shape } of g.inputs) {
      const x = inputs[name];
      if (!x) onnxFail(`OnnxModel.forwardAll: missing input '${name}' (inputs: ${this.inputNames.join(', ')})`);
      if (shape && shape.length !== x.rank) onnxFail(`OnnxModel.forwardAll: input '${name}' must have rank ${shape.length} ([${shape.map((d) => d ?? '?').join(', ')}]), got shape [${x.shape.join(', ')}]`);
      values.set(name, x);
    }
    for (const name of Object.keys(inputs)) if (!values.has(name)) onnxFail(`OnnxModel.forwardAll: unknown input '${name}' (inputs: ${this.inputNames.join(', ')})`);
    for (const [name, c] of g.constants) values.set(name, c);
    for (const [name, t] of this.graphTensors) values.set(name, t);

    // Without a gradient to record, an intermediate is freed once its last reader has run; with one, autograd may
    // need it for backward, so it lives as long as the graph (as in core's own layers).
    const eager = !isGradEnabled();
    const lastUse = new Map<string, number>();
    g.nodes.forEach((n, i) => n.input.forEach((name) => lastUse.set(name, i)));
    const keep = new Set<Tensor>([...this.graphTensors.values(), ...this.constTensors.values(), ...Object.values(inputs)]);
    const temporaries = new Set<Tensor>();

    g.nodes.forEach((node, index) => {
      if (g.folded.has(index)) return;
      const outs = this.runNode(node, values, temporaries);
      if (this.nodeLog) this.logNode(node, index, values, outs);
      node.output.forEach((name, i) => {
        const v = outs[i];
        if (name !== '' && v !== undefined) values.set(name, v);
      });
      if (!eager) return;
      for (const name of new Set(node.input)) {
        if (lastUse.get(name) !== index || g.outputs.includes(name)) continue;
        const v = values.get(name);
        values.delete(name);
        if (v && !isConst(v) && !keep.has(v) && ![...values.values()].includes(v)) v.dispose();
      }
    });
    for (const t of temporaries) if (eager && !keep.has(t)) t.dispose();

    const out: Record<string, Tensor> = {};
    for (const name of g.outputs) {
      const v = values.get(name);
      if (v === undefined) onnxFail(`OnnxModel.forwardAll: output '${name}' was not computed`);
      out[name] = isConst(v) ? constToTensor(v) : v;
    }
    return out;
  }

  private runNode(node: NodeProto, values: Map<string, Value>, temporaries: Set<Tensor>): (Value | undefined)[] {
    const impl = OPS[node.opType];
    const where = `${node.opType} node '${node.name || node.output[0]}'`;
    const inputs = node.input.map((name) => (name === '' ? undefined : values.get(name)));
    node.input.forEach((name, i) => {
      if (name !== '' && inputs[i] === undefined) onnxFail(`${where}: input '${name}' has no value`);
    });
    const ctx: OpContext = {
      where,
      opType: node.opType,
      opset: this.graph.opset,
      attrs: new Attributes(where, node),
      training: this.training,
      numInputs: node.input.length,
      numOutputs: node.output.filter((o) => o !== '').length,
      input: (i) => inputs[i],
      constInput: (i) => {
        const v = inputs[i];
        if (v === undefined) return undefined;
        if (isConst(v)) return v;
        const init = this.graph.initializerValues.get(node.input[i]);
        if (init) return init;
        return onnxFail(
          `${where}: input ${i} ('${node.input[i]}') must be known before the graph runs (a constant, or shape arithmetic on the input's shape), but it is computed from tensor values: dynamic shapes of this kind are not supported`,
        );
      },
      tensorInput: (i) => {
        const v = inputs[i];
        if (v === undefined) return onnxFail(`${where}: input ${i} is missing`);
        if (!isConst(v)) return v;
        // Constants known at import are uploaded once and kept; those computed from this run's shapes are freed.
        if (this.graph.constants.get(node.input[i]) === v) {
          let t = this.constTensors.get(v);
          if (!t) {
            t = constToTensor(v).keep();
            this.constTensors.set(v, t);
          }
          return t;
        }
        const t = constToTensor(v);
        temporaries.add(t);
        return t;
      },
    };
    const allConst = inputs.every((v) => v === undefined || isConst(v));
    if (allConst && impl.host) return impl.host(ctx, inputs as (Const | undefined)[]);
    return impl.run(ctx);
  }

  /** summary's hook (SummaryNodeReporter in @cnn/models): record one row per node the next forward runs. */
  startNodeLog(): void {
    this.nodeLog = { rows: [], parameters: new Set(this.parameters()), seen: new Set() };
  }

  /** The rows recorded since startNodeLog, in execution order; recording stops. */
  takeNodeLog(): NodeRow[] {
    const rows = this.nodeLog?.rows ?? [];
    this.nodeLog = null;
    return rows;
  }

  private logNode(node: NodeProto, index: number, values: ReadonlyMap<string, Value>, outs: readonly (Value | undefined)[]): void {
    const log = this.nodeLog!;
    const inputs = node.input.map((name) => (name === '' ? undefined : values.get(name)));
    const row = nodeRow(node, index, inputs, outs, log.parameters, log.seen);
    if (row) this.nodeLog!.rows.push(row);
  }

  /** Frees parameters, buffers and the cached constant tensors. */
  override dispose(): void {
    super.dispose();
    for (const t of this.constTensors.values()) t.dispose();
    this.constTensors.clear();
  }
}
