/**
 * The kernel suite's independent reference: every contract kernel written as the definition it implements (see the
 * files beside this one), with none of the fast paths of @cnn/backend-cpu. The suite checks the cpu backend against
 * it; other backends are checked against cpu, itself held to the PyTorch fixtures.
 */
import type {
  Backend, BackendMemoryInfo, BinaryOpName, BroadcastGeometry, Conv2dGeometry, DataId, DType, GatherGeometry,
  MatMulGeometry, Pool2dGeometry, ReduceGeometry, ReduceOpName, TensorInfo, TypedArray, UnaryOpName,
} from '@cnn/core';
import { binary, cast, unary } from './elementwise.js';
import { gather, gatherBackward, oneHot, reduce, transpose } from './layout.js';
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput, matmul } from './linear.js';
import { pool2d, pool2dBackward } from './pool.js';

class Block {
  constructor(public values: TypedArray | null) {}
}

function copy(v: TypedArray): TypedArray {
  return v instanceof Int32Array ? Int32Array.from(v) : Float32Array.from(v);
}

export class ReferenceBackend implements Backend {
  readonly name = 'definitions';
  private live = new Set<Block>();

  write(values: TypedArray, dtype: DType): DataId {
    return this.keep(dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values));
  }
  read(dataId: DataId): Promise<TypedArray> {
    return Promise.resolve(copy(this.get(dataId)));
  }
  readSync(dataId: DataId): TypedArray {
    return copy(this.get(dataId));
  }
  disposeData(dataId: DataId): void {
    if (dataId instanceof Block) {
      dataId.values = null;
      this.live.delete(dataId);
    }
  }
  memory(): BackendMemoryInfo {
    let numBytes = 0;
    for (const b of this.live) numBytes += b.values!.byteLength;
    return { numDataIds: this.live.size, numBytes };
  }
  info(): Record<string, string | number | boolean> {
    return { name: this.name, kind: 'definitions in float64, no fast paths' };
  }
  dispose(): void {
    for (const b of this.live) b.values = null;
    this.live.clear();
  }

  unary(op: UnaryOpName, x: TensorInfo, params: readonly number[]): DataId {
    return this.keep(unary(op, this.get(x.dataId), params));
  }
  binary(op: BinaryOpName, a: TensorInfo, b: TensorInfo, geo: BroadcastGeometry, params: readonly number[]): DataId {
    return this.keep(binary(op, this.get(a.dataId), this.get(b.dataId), geo, params));
  }
  cast(x: TensorInfo, dtype: DType): DataId {
    return this.keep(cast(this.get(x.dataId), dtype));
  }
  reduce(op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): DataId {
    return this.keep(reduce(op, this.get(x.dataId), geo));
  }
  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    return this.keep(transpose(this.get(x.dataId), x.shape, perm));
  }
  gather(x: TensorInfo, geo: GatherGeometry, value: number): DataId {
    return this.keep(gather(this.get(x.dataId), geo, value));
  }
  gatherBackward(dy: TensorInfo, geo: GatherGeometry): DataId {
    return this.keep(gatherBackward(this.get(dy.dataId), geo));
  }
  oneHot(indices: TensorInfo, depth: number): DataId {
    return this.keep(oneHot(this.get(indices.dataId), depth));
  }
  matmul(a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): DataId {
    return this.keep(matmul(this.f32(a), this.f32(b), geo));
  }
  conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): DataId {
    return this.keep(conv2d(this.f32(x), this.f32(w), bias ? this.f32(bias) : null, geo));
  }
  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.keep(conv2dBackwardInput(this.f32(dy), this.f32(w), geo));
  }
  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.keep(conv2dBackwardFilter(this.f32(x), this.f32(dy), geo));
  }
  pool2d(x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.keep(pool2d(this.f32(x), geo));
  }
  pool2dBackward(dy: TensorInfo, x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.keep(pool2dBackward(this.f32(dy), this.f32(x), geo));
  }

  private keep(values: TypedArray): Block {
    const b = new Block(values);
    this.live.add(b);
    return b;
  }
  private get(dataId: DataId): TypedArray {
    if (!(dataId instanceof Block) || !dataId.values) throw new Error('reference backend: unknown or disposed DataId');
    return dataId.values;
  }
  private f32(info: TensorInfo): Float32Array {
    const v = this.get(info.dataId);
    return v instanceof Float32Array ? v : Float32Array.from(v);
  }
}
