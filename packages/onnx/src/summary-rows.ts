/** One summary row per node of an imported graph (packages/models' summary calls OnnxModel's node log). */
import type { Tensor } from '@cnn/core';
import type { NodeProto } from './generated/onnx.proto3_pb.js';
import type { Value } from './values.js';
import { isConst, sizeOfShape } from './values.js';

export interface NodeRow {
  name: string;
  type: string;
  inputShape: number[];
  outputShape: number[];
  params: number;
  macs: number;
}

/** Multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul (bias additions not counted), as summary counts
 * PyTorch's layers; 0 for every other node. */
function macsOf(node: NodeProto, inputs: readonly (Value | undefined)[], out: Value): number {
  const x = inputs[0]?.shape;
  const w = inputs[1]?.shape;
  if (!x || !w) return 0;
  const k = (s: readonly number[]): number => sizeOfShape(s.slice(1));
  switch (node.opType) {
    case 'Conv': return sizeOfShape(out.shape) * k(w);
    case 'ConvTranspose': return sizeOfShape(x) * k(w);
    case 'Gemm': {
      const transA = node.attribute.some((a) => a.name === 'transA' && Number(a.i) === 1);
      return sizeOfShape(out.shape) * (transA ? x[0] : x[x.length - 1]);
    }
    case 'MatMul': return sizeOfShape(out.shape) * x[x.length - 1];
    default: return 0;
  }
}

/**
 * The row of a node that ran, or null for one that computed nothing: host constants only (shape arithmetic), or its
 * input passed on as is (PyTorch's Identity on a shared weight, Dropout in eval mode). Parameters are counted at the
 * first node that reads them (`seen` holds those counted), through such pass-throughs.
 */
export function nodeRow(node: NodeProto, index: number, inputs: readonly (Value | undefined)[], outs: readonly (Value | undefined)[], parameters: ReadonlySet<Tensor>, seen: Set<Tensor>): NodeRow | null {
  const out = outs.find((v) => v !== undefined && !isConst(v));
  if (!out || inputs.includes(out)) return null;
  let params = 0;
  for (const v of inputs) {
    if (v === undefined || isConst(v) || !parameters.has(v) || seen.has(v)) continue;
    seen.add(v);
    params += v.size;
  }
  const first = inputs.find((v) => v !== undefined);
  return {
    name: node.name || `#${index} ${node.output[0] ?? ''}`.trim(),
    type: node.opType,
    inputShape: first ? [...first.shape] : [],
    outputShape: [...out.shape],
    params,
    macs: macsOf(node, inputs, out),
  };
}
