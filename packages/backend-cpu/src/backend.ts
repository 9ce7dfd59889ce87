/**
 * The plain-JavaScript backend: one thread, every kernel runs synchronously inside the call. A DataId is a `CpuData`
 * object holding its typed array, so no id → buffer map is needed and freed data is collectable as soon as core drops
 * the handle. Counters track what is live for `memory()`.
 */
import type {
  Backend, BackendMemoryInfo, BinaryOpName, BroadcastGeometry, Conv2dGeometry, ConvEpilogue, DataId, DType, GatherGeometry,
  MatMulGeometry, Pool2dGeometry, ReduceGeometry, ReduceOpName, TensorInfo, TypedArray, UnaryOpName,
} from '@cnn/core';
import { MR, NR } from './gemm.js';
import { unary } from './kernels/Unary.js';
import { binary } from './kernels/Binary.js';
import { cast } from './kernels/Cast.js';
import { reduce } from './kernels/Reduce.js';
import { transpose } from './kernels/Transpose.js';
import { gather } from './kernels/Gather.js';
import { gatherBackward } from './kernels/GatherBackward.js';
import { oneHot } from './kernels/OneHot.js';
import { matmul } from './kernels/MatMul.js';
import { conv2d } from './kernels/Conv2D.js';
import { fusedConv2d } from './kernels/FusedConv2D.js';
import { conv2dBackwardInput } from './kernels/Conv2DBackpropInput.js';
import { conv2dBackwardFilter } from './kernels/Conv2DBackpropFilter.js';
import { pool2d } from './kernels/Pool2D.js';
import { pool2dBackward } from './kernels/Pool2DBackward.js';

const EMPTY = new Float32Array(0);

/** The DataId of this backend: the values themselves. */
class CpuData {
  constructor(public values: TypedArray, public disposed = false) {}
}

function copyOf(values: TypedArray): TypedArray {
  return values instanceof Int32Array ? new Int32Array(values) : new Float32Array(values);
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  private numDataIds = 0;
  private numBytes = 0;
  private disposed = false;

  // ---- memory ----------------------------------------------------------------------------------
  write(values: TypedArray, dtype: DType): DataId {
    const owned = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    return this.track(owned);
  }

  read(dataId: DataId): Promise<TypedArray> {
    return Promise.resolve(copyOf(this.data(dataId)));
  }

  readSync(dataId: DataId): TypedArray {
    return copyOf(this.data(dataId));
  }

  disposeData(dataId: DataId): void {
    if (!(dataId instanceof CpuData) || dataId.disposed) return;
    this.numDataIds--;
    this.numBytes -= dataId.values.byteLength;
    dataId.values = EMPTY;
    dataId.disposed = true;
  }

  memory(): BackendMemoryInfo {
    return { numDataIds: this.numDataIds, numBytes: this.numBytes };
  }

  info(): Record<string, string | number | boolean> {
    return { name: this.name, threads: 1, gemm: `packed float64 panels, ${MR}×${NR} micro-kernel` };
  }

  dispose(): void {
    // DataIds own their arrays; dropping the counters is all there is to release. Later calls fail fast.
    this.numDataIds = 0;
    this.numBytes = 0;
    this.disposed = true;
  }

  // ---- elementwise -------------------------------------------------------------------------------
  unary(op: UnaryOpName, x: TensorInfo, params: readonly number[]): DataId {
    return this.track(unary(op, this.f32(x), params));
  }

  binary(op: BinaryOpName, a: TensorInfo, b: TensorInfo, geo: BroadcastGeometry, params: readonly number[]): DataId {
    return this.track(binary(op, this.data(a.dataId), this.data(b.dataId), geo, params));
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    return this.track(cast(this.data(x.dataId), dtype));
  }

  // ---- reductions and layout -----------------------------------------------------------------------
  reduce(op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): DataId {
    return this.track(reduce(op, this.data(x.dataId), geo));
  }

  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    return this.track(transpose(this.data(x.dataId), x.shape, perm));
  }

  gather(x: TensorInfo, geo: GatherGeometry, value: number): DataId {
    return this.track(gather(this.data(x.dataId), geo, value));
  }

  gatherBackward(dy: TensorInfo, geo: GatherGeometry): DataId {
    return this.track(gatherBackward(this.f32(dy), geo));
  }

  oneHot(indices: TensorInfo, depth: number): DataId {
    return this.track(oneHot(this.data(indices.dataId), depth));
  }

  // ---- linear algebra and convolution ---------------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): DataId {
    return this.track(matmul(this.f32(a), this.f32(b), geo));
  }

  conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): DataId {
    return this.track(conv2d(this.f32(x), this.f32(w), bias ? this.f32(bias) : null, geo));
  }

  fusedConv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, epilogue: ConvEpilogue, geo: Conv2dGeometry): DataId {
    const residual = epilogue.residual ? this.f32(epilogue.residual) : null;
    return this.track(fusedConv2d(this.f32(x), this.f32(w), bias ? this.f32(bias) : null, { residual, activation: epilogue.activation }, geo));
  }

  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.track(conv2dBackwardInput(this.f32(dy), this.f32(w), geo));
  }

  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.track(conv2dBackwardFilter(this.f32(x), this.f32(dy), geo));
  }

  // ---- pooling ------------------------------------------------------------------------------------
  pool2d(x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.track(pool2d(this.f32(x), geo));
  }

  pool2dBackward(dy: TensorInfo, x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.track(pool2dBackward(this.f32(dy), this.f32(x), geo));
  }

  // ---- helpers ------------------------------------------------------------------------------------
  private track(values: TypedArray): CpuData {
    if (this.disposed) throw new Error('cpu backend: used after dispose()');
    this.numDataIds++;
    this.numBytes += values.byteLength;
    return new CpuData(values);
  }

  private data(dataId: DataId): TypedArray {
    if (!(dataId instanceof CpuData)) throw new Error('cpu backend: DataId was not made by this backend');
    if (dataId.disposed) throw new Error('cpu backend: DataId used after disposeData');
    return dataId.values;
  }

  /** The float32 data of an operand; int32 operands of float kernels are converted (core normally casts first). */
  private f32(info: TensorInfo): Float32Array {
    const v = this.data(info.dataId);
    return v instanceof Float32Array ? v : Float32Array.from(v);
  }
}
