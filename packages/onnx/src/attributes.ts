/** Typed access to a node's attributes, with ONNX's defaults supplied by the caller. */
import { onnxFail } from './errors.js';
import { AttributeProto_AttributeType as AT, type AttributeProto, type NodeProto, type TensorProto } from './generated/onnx.proto3_pb.js';

export class Attributes {
  private readonly byName = new Map<string, AttributeProto>();

  constructor(private readonly where: string, node: NodeProto) {
    for (const a of node.attribute) {
      if (a.refAttrName) onnxFail(`${where}: attribute '${a.name}' refers to a function attribute; functions are not supported`);
      this.byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: AT): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (a && a.type !== type && a.type !== AT.UNDEFINED) onnxFail(`${this.where}: attribute '${name}' has type ${AT[a.type]}, expected ${AT[type]}`);
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, AT.INT);
    return a ? Number(a.i) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, AT.FLOAT);
    return a ? a.f : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, AT.STRING);
    return a ? new TextDecoder().decode(a.s) : fallback;
  }

  ints(name: string): number[] | undefined {
    return this.get(name, AT.INTS)?.ints.map(Number);
  }

  floats(name: string): number[] | undefined {
    return this.get(name, AT.FLOATS)?.floats;
  }

  tensor(name: string): TensorProto | undefined {
    return this.get(name, AT.TENSOR)?.t;
  }
}
