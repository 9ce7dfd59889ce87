/**
 * The GPU backend: every tensor is one float32 texture (gpu.js pipeline mode, `immutable: true`), computed by kernels
 * generated from the op's geometry and compiled once per (kernel, shapes, attributes). Data leaves the GPU only in
 * `read`. This class is the dispatcher: it sizes each output from core (`kernelOutput`), answers empty outputs itself,
 * and hands the rest to one kernel function per file in ./kernels, all running on a GpuRuntime (./runtime.ts).
 */
import {
  kernelOutput,
  type Backend, type BackendMemoryInfo, type BinaryOpName, type BroadcastGeometry, type Conv2dGeometry, type ConvEpilogue, type DataId,
  type DType, type GatherGeometry, type KernelOutput, type MatMulGeometry, type Pool2dGeometry, type ReduceGeometry,
  type ReduceOpName, type TensorInfo, type TypedArray, type UnaryOpName,
} from '@cnn/core';
import type { GpuContext } from './context.js';
import { GpuData, GpuRuntime } from './runtime.js';
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

export class GpuBackend implements Backend {
  readonly name = 'gpu';
  private readonly rt: GpuRuntime;
  private disposed = false;

  constructor(private readonly ctx: GpuContext) {
    this.rt = new GpuRuntime(ctx);
  }

  /** An empty output when core says the kernel produces no elements; else the kernel's result. */
  private produce(out: KernelOutput, compute: (size: number) => GpuData): DataId {
    return out.size === 0 ? this.rt.empty(out.dtype) : compute(out.size);
  }

  private in(t: TensorInfo): GpuData {
    return this.rt.data(t.dataId);
  }

  // ---- memory -------------------------------------------------------------------------------------
  write(values: TypedArray, dtype: DType): DataId {
    if (values.length === 0) return this.rt.empty(dtype);
    const upload = (v: Float32Array) => this.rt.run('function(v) { return v[this.thread.x]; }', v.length, [v], dtype);
    if (dtype === 'float32') return upload(Float32Array.from(values));
    const ints = Int32Array.from(values, Math.trunc);
    const hi = Float32Array.from(ints);
    const rest = Float32Array.from(ints, (v, i) => v - hi[i]); // exact: |rest| ≤ 64
    const out = upload(hi);
    return rest.some((r) => r !== 0) ? this.rt.attachLow(out, () => upload(rest)) : out;
  }

  async read(dataId: DataId): Promise<TypedArray> {
    const d = this.rt.data(dataId);
    // Checked before and after reading back: a lost context reads zeros, which must never be returned as data.
    this.ctx.assertUsable();
    const raw = d.texture ? d.texture.toArray() : new Float32Array(0);
    const low = d.dtype === 'int32' ? d.low?.texture?.toArray() : undefined;
    this.ctx.assertUsable();
    if (d.dtype === 'int32') {
      const out = new Int32Array(d.size);
      for (let i = 0; i < d.size; i++) out[i] = Math.round(raw[i]) + (low ? Math.round(low[i]) : 0);
      return out;
    }
    return Float32Array.from(raw.subarray(0, d.size));
  }

  disposeData(dataId: DataId): void {
    if (dataId instanceof GpuData) this.rt.dispose(dataId);
  }

  memory(): BackendMemoryInfo {
    const rt = this.rt;
    return { numDataIds: rt.numDataIds, numBytes: rt.numBytes, numTextures: rt.numTextures, glTextures: this.ctx.glTextures(), numKernels: rt.numPrograms };
  }

  info(): Record<string, string | number | boolean> {
    const { ctx, rt } = this;
    return {
      name: this.name,
      mode: ctx.mode,
      renderer: ctx.renderer,
      vendor: ctx.vendor,
      glVersion: ctx.version,
      maxTextureSize: ctx.maxTextureSize,
      precision: 'single (float32 textures)',
      kernelsCompiled: rt.compiles,
      compileMs: Math.round(rt.compileMs),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.rt.close();
    await this.ctx.destroy();
  }

  // ---- elementwise -------------------------------------------------------------------------------
  unary(op: UnaryOpName, x: TensorInfo, params: readonly number[]): DataId {
    return this.produce(kernelOutput.unary(x), () => unary(this.rt, op, this.in(x), params));
  }

  binary(op: BinaryOpName, a: TensorInfo, b: TensorInfo, geo: BroadcastGeometry, params: readonly number[]): DataId {
    return this.produce(kernelOutput.binary(geo), (size) => binary(this.rt, op, this.in(a), this.in(b), geo, params, size));
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    return this.produce(kernelOutput.cast(x, dtype), () => cast(this.rt, this.in(x), dtype));
  }

  // ---- reductions and layout -----------------------------------------------------------------------
  reduce(op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): DataId {
    const out = kernelOutput.reduce(op, geo);
    return this.produce(out, () => reduce(this.rt, op, this.in(x), geo, out));
  }

  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    return this.produce(kernelOutput.transpose(x, perm), () => transpose(this.rt, this.in(x), x.shape, perm));
  }

  gather(x: TensorInfo, geo: GatherGeometry, value: number): DataId {
    return this.produce(kernelOutput.gather(x, geo), (size) => gather(this.rt, this.in(x), geo, value, size));
  }

  gatherBackward(dy: TensorInfo, geo: GatherGeometry): DataId {
    return this.produce(kernelOutput.gatherBackward(geo), (size) => gatherBackward(this.rt, this.in(dy), geo, size));
  }

  oneHot(indices: TensorInfo, depth: number): DataId {
    return this.produce(kernelOutput.oneHot(indices, depth), (size) => oneHot(this.rt, this.in(indices), depth, size));
  }

  // ---- linear algebra and convolution ---------------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): DataId {
    return this.produce(kernelOutput.matmul(geo), (size) => matmul(this.rt, this.in(a), this.in(b), geo, size));
  }

  conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): DataId {
    return this.produce(kernelOutput.conv2d(geo), (size) => conv2d(this.rt, this.in(x), this.in(w), bias ? this.in(bias) : null, geo, size));
  }

  fusedConv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, epilogue: ConvEpilogue, geo: Conv2dGeometry): DataId {
    const residual = epilogue.residual ? this.in(epilogue.residual) : null;
    return this.produce(kernelOutput.conv2d(geo), (size) =>
      fusedConv2d(this.rt, this.in(x), this.in(w), bias ? this.in(bias) : null, { residual, activation: epilogue.activation }, geo, size));
  }

  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.produce(kernelOutput.conv2dBackwardInput(geo), (size) => conv2dBackwardInput(this.rt, this.in(dy), this.in(w), geo, size));
  }

  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.produce(kernelOutput.conv2dBackwardFilter(geo), (size) => conv2dBackwardFilter(this.rt, this.in(x), this.in(dy), geo, size));
  }

  // ---- pooling ------------------------------------------------------------------------------------
  pool2d(x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.produce(kernelOutput.pool2d(geo), (size) => pool2d(this.rt, this.in(x), geo, size));
  }

  pool2dBackward(dy: TensorInfo, x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.produce(kernelOutput.pool2dBackward(geo), (size) => pool2dBackward(this.rt, this.in(dy), this.in(x), geo, size));
  }
}
