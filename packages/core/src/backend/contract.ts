/**
 * The backend contract: everything a backend must implement, and nothing more.
 *
 * Design rules (see the package README):
 * - Core validates arguments and resolves every hyper-parameter (padding modes, 'same'/'valid', ceil mode,
 *   broadcasting) into plain numbers and index tables before a kernel is called. Kernels never validate user input.
 * - Kernels return a new `DataId` synchronously. A backend may run the work immediately (cpu), queue it (workers)
 *   or record it on the device (gpu); only `read` waits for results.
 * - Kernels never see autograd. Gradients are composed in core from these same kernels.
 */
import type { BinaryOpName, UnaryOpName } from '../elementwise.js';
import type { Conv2dGeometry } from '../geometry/conv.js';
import type { Pool2dGeometry } from '../geometry/pool.js';
import type { GatherGeometry } from '../geometry/gather.js';
import type { BroadcastGeometry } from '../geometry/broadcast.js';

export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;

/** Opaque handle to a block of backend memory. Only the backend that made it may look inside. */
export type DataId = object;

/** What a kernel is told about each operand. Data is always dense, row-major (C order). */
export interface TensorInfo {
  readonly dataId: DataId;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface BackendMemoryInfo {
  /** Live data blocks held by the backend. */
  numDataIds: number;
  /** Bytes held by live data blocks. */
  numBytes: number;
  /** Backend-specific counters, e.g. `numTextures` on the GPU. */
  [extra: string]: number | string | boolean;
}

/** Reductions over the middle axis of an `[outer, reduce, inner]` view. */
export type ReduceOpName = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

export interface ReduceGeometry {
  outer: number;
  reduce: number;
  inner: number;
}

/** Batched matrix product `out[b] = op(A[b]) · op(B[b])`, out is `[batch, m, n]`. */
export interface MatMulGeometry {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A is stored `[k, m]` (per batch) instead of `[m, k]`. */
  transA: boolean;
  /** B is stored `[n, k]` instead of `[k, n]`. */
  transB: boolean;
  /** The operand has batch 1 and is reused for every batch entry. */
  broadcastA: boolean;
  broadcastB: boolean;
}

export interface Backend {
  readonly name: string;

  // ---- memory -------------------------------------------------------------------------------
  /** Copies `values` into backend memory. The backend must not keep a reference to `values`. */
  write(values: TypedArray, shape: readonly number[], dtype: DType): DataId;
  /** Resolves with a copy of the data (never the backend's own array) once every kernel that writes it has finished. */
  read(dataId: DataId): Promise<TypedArray>;
  /** Synchronous read returning a copy, for backends that can (cpu). Absent where it would block a browser's main thread. */
  readSync?(dataId: DataId): TypedArray;
  /** Frees the memory. Called exactly once per DataId, after its last use has been dispatched. */
  disposeData(dataId: DataId): void;
  memory(): BackendMemoryInfo;
  /** Facts about the running backend (mode, renderer, threads). */
  info(): Record<string, string | number | boolean>;
  /** Releases threads, contexts and all memory. The backend is unusable afterwards. */
  dispose(): void | Promise<void>;

  // ---- elementwise (one table in core: ../elementwise.ts) ------------------------------------
  /** Same shape, float32 result (int32 inputs are read as numbers). `params` are the op's numeric parameters (e.g. alpha). */
  unary(op: UnaryOpName, x: TensorInfo, params: readonly number[]): DataId;
  /** Broadcasting binary op. `geo` gives the output shape and both operands' strides (0 on broadcast dims). */
  binary(op: BinaryOpName, a: TensorInfo, b: TensorInfo, geo: BroadcastGeometry, params: readonly number[]): DataId;
  /** Changes dtype (float32 → int32 truncates toward zero). */
  cast(x: TensorInfo, dtype: DType): DataId;

  // ---- reductions and layout ---------------------------------------------------------------------
  /** Reduces the middle axis of `x` viewed as `[outer, reduce, inner]`; result `[outer, inner]`
   * (float32, or int32 indices for argmax/argmin: first index on ties). */
  reduce(op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): DataId;
  /** Permutes axes: `out.shape[i] = x.shape[perm[i]]`. */
  transpose(x: TensorInfo, perm: readonly number[]): DataId;
  /** `x` viewed as `[outer, inH, inW]` → `[outer, outH, outW]` with
   * `out[o,i,j] = rows[i] >= 0 && cols[j] >= 0 ? x[o, rows[i], cols[j]] : value`. Pad, slice and their kin. */
  gather(x: TensorInfo, geo: GatherGeometry, value: number): DataId;
  /** Adjoint of `gather` (its backward): `dx[o, rows[i], cols[j]] += dy[o, i, j]` for valid indices, zeros elsewhere. */
  gatherBackward(dy: TensorInfo, geo: GatherGeometry): DataId;
  /** int32 (or integral float32) class indices `[n]` → float32 `[n, depth]`; out-of-range rows are all zero. */
  oneHot(indices: TensorInfo, depth: number): DataId;

  // ---- linear algebra and convolution ---------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): DataId;
  /** Zero-padded grouped, strided, dilated convolution, NCHW. Non-zero padding modes are applied by core with
   * `gather` first. `bias` (shape [O]) may be null. Output `[N, O, outH, outW]`. */
  conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): DataId;
  /** ∂L/∂x of conv2d given dy `[N, O, outH, outW]`; output `[N, C, H, W]`. */
  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): DataId;
  /** ∂L/∂w of conv2d; output `[O, C/groups, kH, kW]`. */
  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId;

  // ---- pooling ----------------------------------------------------------------------------------
  /** Max or average pooling over the windows listed in `geo` (see Pool2dGeometry). Output `[N, C, outH, outW]`. */
  pool2d(x: TensorInfo, geo: Pool2dGeometry): DataId;
  /** ∂L/∂x of pool2d: max routes dy to the first arg-max of each window; avg spreads dy / divisor. */
  pool2dBackward(dy: TensorInfo, x: TensorInfo, geo: Pool2dGeometry): DataId;
}

/** The list of compute kernels, for documentation, registries and conformance reports. */
export const KERNEL_NAMES = [
  'unary', 'binary', 'cast', 'reduce', 'transpose', 'gather', 'gatherBackward', 'oneHot', 'matmul',
  'conv2d', 'conv2dBackwardInput', 'conv2dBackwardFilter', 'pool2d', 'pool2dBackward',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
