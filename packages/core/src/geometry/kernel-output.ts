/**
 * The output of every contract kernel — its shape as the backend allocates it (dense, row-major) and its dtype — as a
 * function of the kernel's arguments. contract.ts states the same in words; backends size their outputs from here
 * rather than re-deriving them, and core's ops give their tensors these shapes.
 */
import type { DType, KernelName, MatMulGeometry, ReduceGeometry, ReduceOpName } from '../backend/contract.js';
import { sizeOf, type BroadcastGeometry } from './broadcast.js';
import type { Conv2dGeometry } from './conv.js';
import type { GatherGeometry } from './gather.js';
import type { Pool2dGeometry } from './pool.js';

export interface KernelOutput {
  shape: number[];
  dtype: DType;
  /** Element count: the product of `shape`. */
  size: number;
}

/** What the kernel needs to know of an operand to size its output. */
interface Operand {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

function output(shape: number[], dtype: DType): KernelOutput {
  return { shape, dtype, size: sizeOf(shape) };
}

/** Keyed by kernel name (KERNEL_NAMES); each takes the kernel's arguments that decide its output. */
export const kernelOutput = {
  /** Elementwise on float: x's shape, float32 (int32 inputs are read as numbers). */
  unary: (x: Operand): KernelOutput => output([...x.shape], 'float32'),
  binary: (geo: BroadcastGeometry): KernelOutput => output([...geo.outShape], 'float32'),
  cast: (x: Operand, dtype: DType): KernelOutput => output([...x.shape], dtype),
  /** `[outer, inner]`; int32 indices for argmax / argmin, float32 values otherwise. */
  reduce: (op: ReduceOpName, geo: ReduceGeometry): KernelOutput =>
    output([geo.outer, geo.inner], op === 'argmax' || op === 'argmin' ? 'int32' : 'float32'),
  transpose: (x: Operand, perm: readonly number[]): KernelOutput => output(perm.map((p) => x.shape[p]), x.dtype),
  /** `[outer, outH, outW]` in x's dtype. */
  gather: (x: Operand, geo: GatherGeometry): KernelOutput => output([geo.outer, geo.outH, geo.outW], x.dtype),
  gatherBackward: (geo: GatherGeometry): KernelOutput => output([geo.outer, geo.inH, geo.inW], 'float32'),
  /** `[n, depth]` for n indices (any shape, read flat). */
  oneHot: (indices: Operand, depth: number): KernelOutput => output([sizeOf(indices.shape), depth], 'float32'),
  matmul: (geo: MatMulGeometry): KernelOutput => output([geo.batch, geo.m, geo.n], 'float32'),
  conv2d: (geo: Conv2dGeometry): KernelOutput => output([geo.batch, geo.outChannels, geo.outH, geo.outW], 'float32'),
  conv2dBackwardInput: (geo: Conv2dGeometry): KernelOutput => output([geo.batch, geo.inChannels, geo.inH, geo.inW], 'float32'),
  conv2dBackwardFilter: (geo: Conv2dGeometry): KernelOutput =>
    output([geo.outChannels, geo.inChannelsPerGroup, geo.kH, geo.kW], 'float32'),
  pool2d: (geo: Pool2dGeometry): KernelOutput => output([geo.batch, geo.channels, geo.outH, geo.outW], 'float32'),
  pool2dBackward: (geo: Pool2dGeometry): KernelOutput => output([geo.batch, geo.channels, geo.inH, geo.inW], 'float32'),
} satisfies Record<KernelName, (...args: never[]) => KernelOutput>;
