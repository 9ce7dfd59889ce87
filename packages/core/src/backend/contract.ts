/**
 * The backend contract: everything a backend must implement, and nothing more.
 *
 * Design rules (see the package README):
 * - Core validates arguments and resolves every hyper-parameter (padding modes, 'same'/'valid', ceil mode,
 *   broadcasting) into plain numbers and index tables before a kernel is called. Kernels never validate user input.
 * - Kernels return a new `DataId` synchronously. A backend may run the work immediately (cpu), queue it (workers)
 *   or record it on the device (gpu); only `read` waits for results.
 * - Kernels never see autograd. Gradients are composed in core from these same kernels.
 * - Every kernel's output shape and dtype follow from its arguments, as each kernel's comment states;
 *   `kernelOutput.<kernel>(…)` (../geometry/kernel-output.ts) computes them, so a backend never derives its own.
 *   Broadcast loops, transpose walks and the input gradient of a stride-1 conv as a forward conv are resolved in
 *   ../geometry too (`BroadcastGeometry.loop`, `transposeGeometry`, `backwardInputAsConv`).
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

/*
 * ---- Special values: NaN, ±inf, ±0, ties, empty tensors --------------------------------------------------------
 * Part of the contract, with PyTorch 1.13 (CPU, float32) as the oracle. Checked on every backend by
 * @cnn/conformance's special-value cases (fixtures-special/special-values.json, written by
 * tools/golden/special_values.py; `runSpecialValueCases()`), through the public ops.
 *
 * NaN
 * - unary / binary: each op's `expr` in ../elementwise.ts, with JavaScript's semantics (a comparison with NaN is
 *   false, Math.max/min return NaN if either operand is NaN). So NaN in gives NaN out, including relu(NaN),
 *   clamp(NaN, lo, hi), maximum(NaN, x) and minimum(x, NaN); except where PyTorch answers a number: sign(NaN) = 0,
 *   pow(x, 0) = 1, pow(1, y) = 1, the comparisons gt/ge/lt/le/eq give 0, mask(a, 0) = 0, and the fused backward
 *   ops take PyTorch's branch: reluBackward(dy, NaN) = dy, eluBackward(dy, NaN) = dy,
 *   leakyReluBackward(dy, NaN) = slope·dy, hardtanhBackward(dy, NaN) = hardsigmoidBackward(dy, NaN) = 0 (PyTorch's
 *   vectorised kernels, which tensors of ≥ 16 elements take; its scalar tail loop differs). A backend translating
 *   the table must keep these semantics (GLSL's max/min/clamp, WebAssembly's f32x4.pmax/pmin and x86's maxps do not
 *   propagate NaN; f32x4.max/min do).
 * - reduce: sum propagates NaN (and inf + -inf = NaN). max/min of a slice holding NaN are NaN; argmax/argmin of it
 *   are the index of its FIRST NaN.
 * - pool2d, max mode: a window holding NaN gives NaN. pool2dBackward routes that window's dy to its LAST NaN:
 *   PyTorch scans a window row-major with `if (v > best || isnan(v)) pick v`, so every NaN replaces the pick.
 * - matmul, conv2d and their gradients: IEEE sums of products (0·inf = NaN). An output is NaN when its sum meets a
 *   NaN, an output whose inputs are all finite is finite, and an infinite input gives ±inf (or NaN where the sum
 *   meets inf − inf or 0·inf) exactly as the direct sum does. A transform algorithm must not change that: Winograd
 *   subtracts inputs from each other (inf − inf = NaN), so cpu and workers take the direct path when an operand
 *   holds ±inf or NaN. No output whose window holds only finite values may become NaN or inf.
 * - transpose, gather, gatherBackward (which only adds), oneHot: values are moved, never inspected; NaN, ±inf
 *   and -0 arrive unchanged.
 * - cast float32 → int32 of NaN, ±inf or a value outside the int32 range: unspecified (PyTorch gives the
 *   platform's answer, INT32_MIN on x86); core never relies on it.
 * ±inf and overflow
 * - Results are stored as float32: what overflows float32 is ±inf (exp(89) = inf, exp(100) = inf, a sum of
 *   3e38 + 3e38 = inf), whatever precision a kernel computes in. log(±0) = -inf, 1/±0 = ±inf, rsqrt(-0) = -inf,
 *   pow(-inf, 0.5) = NaN (x^±0.5 is sqrt / rsqrt, as in PyTorch), sigmoid(-inf) = 0, tanh(±inf) = ±1.
 * - max/min of a slice of -inf is -inf; a max-pool window of only -inf (or -inf and padding) gives -inf, and its
 *   dy goes to the window's first input cell.
 * - Not kernels, but composed in core with the same guarantees: softmax and logSoftmax subtract the row maximum,
 *   so logits of ±1e4 give finite, exact results (a +inf logit makes its row NaN, as in PyTorch; a -inf logit
 *   has probability 0); crossEntropy and nllLoss pick the target's log-probability with `mask`, so a -inf logit of
 *   another class (a masked logit) leaves the loss finite, as PyTorch's index-based pick does.
 * Ties
 * - argmax/argmin: the first index of the extreme. pool2dBackward max: the first (row-major) of the tied maxima of
 *   a window. Core's gradients: F.max/F.min split dy equally among tied extremes (torch.amax; a slice holding NaN
 *   gets NaN gradients), F.maximum/F.minimum give each operand half of dy on a tie and all of it on NaN.
 * Signed zeros
 * - ±0 compare equal. Where PyTorch's sign is the op's meaning, it is checked: abs(-0) = +0, sign(±0) = +0,
 *   neg(0) = -0, relu(-0) = -0, sqrt(-0) = -0, erf(-0) = -0. Elsewhere the sign of a zero result is unspecified.
 * Empty tensors
 * - Every kernel accepts operands with a dimension of size 0 and returns a block of its output's size (possibly 0
 *   elements). reduce with `reduce` = 0: sum gives 0 for every output element. Core never calls max, min, argmax
 *   or argmin with `reduce` = 0: F.max/F.min/F.argmax/F.argmin raise over an empty dimension, as PyTorch does
 *   (F.mean over one gives NaN, 0/0, as torch.mean). matmul with k = 0 gives zeros.
 */

/** What a fused conv applies to its output (see `Backend.fusedConv2d`). */
export interface ConvEpilogue {
  /** Added after the bias; the output's shape. A residual connection (ResNet's `out + identity`). */
  residual: TensorInfo | null;
  /** Applied last: an op of the unary table (relu; clamp with [0, 6] for ReLU6; …) and its params. */
  activation: { op: UnaryOpName; params: readonly number[] } | null;
}

export interface Backend {
  readonly name: string;

  // ---- memory -------------------------------------------------------------------------------
  /** Copies `values` into backend memory as `dtype` (a float32 array written as int32 truncates toward zero). The
   * backend must not keep a reference to `values`. Data is flat: shapes are core's business, never the backend's. */
  write(values: TypedArray, dtype: DType): DataId;
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
  /** Output: x's shape, float32 (int32 inputs are read as numbers). `params` are the op's numeric parameters (e.g. alpha).
   * Special values: the op's `expr` with JavaScript semantics (relu(NaN) = NaN, sign(NaN) = 0; see above). */
  unary(op: UnaryOpName, x: TensorInfo, params: readonly number[]): DataId;
  /** Broadcasting binary op. Output: `geo.outShape`, float32. `geo` also gives both operands' strides (0 on broadcast
   * dims) and `geo.loop`, the same iteration collapsed to the fewest dims. Special values: as `unary`
   * (maximum/minimum propagate NaN; see above). */
  binary(op: BinaryOpName, a: TensorInfo, b: TensorInfo, geo: BroadcastGeometry, params: readonly number[]): DataId;
  /** Output: x's shape, in `dtype` (float32 → int32 truncates toward zero; NaN, ±inf and out-of-range values give an
   * unspecified int32). */
  cast(x: TensorInfo, dtype: DType): DataId;

  // ---- reductions and layout ---------------------------------------------------------------------
  /** Reduces the middle axis of `x` viewed as `[outer, reduce, inner]`; result `[outer, inner]`
   * (float32, or int32 indices for argmax/argmin: first index on ties). NaN: max/min give NaN, argmax/argmin the
   * first NaN's index. `reduce` = 0 occurs only for sum (which gives 0). */
  reduce(op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): DataId;
  /** Permutes axes. Output: `out.shape[i] = x.shape[perm[i]]`, x's dtype (`transposeGeometry` gives the strided walk). */
  transpose(x: TensorInfo, perm: readonly number[]): DataId;
  /** `x` viewed as `[outer, inH, inW]` → `[outer, outH, outW]` in x's dtype, with
   * `out[o,i,j] = rows[i] >= 0 && cols[j] >= 0 ? x[o, rows[i], cols[j]] : value`. Pad, slice and their kin. */
  gather(x: TensorInfo, geo: GatherGeometry, value: number): DataId;
  /** Adjoint of `gather` (its backward): `dx[o, rows[i], cols[j]] += dy[o, i, j]` for valid indices, zeros elsewhere.
   * Output: `[outer, inH, inW]`, float32. */
  gatherBackward(dy: TensorInfo, geo: GatherGeometry): DataId;
  /** int32 (or integral float32) class indices, n of them in any shape → float32 `[n, depth]`; out-of-range rows are all zero. */
  oneHot(indices: TensorInfo, depth: number): DataId;

  // ---- linear algebra and convolution ---------------------------------------------------------
  /** Output: `[batch, m, n]`, float32. */
  matmul(a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): DataId;
  /** Zero-padded grouped, strided, dilated convolution, NCHW. Non-zero padding modes are applied by core with
   * `gather` first. `bias` (shape [O]) may be null. Output `[batch, outChannels, outH, outW]` of `geo`, float32. */
  conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): DataId;
  /** ∂L/∂x of conv2d given dy `[batch, outChannels, outH, outW]`; output `[batch, inChannels, inH, inW]`, float32.
   * For stride 1 this is the forward conv `backwardInputAsConv(geo)` of dy with w rotated and channel-swapped. */
  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): DataId;
  /** ∂L/∂w of conv2d; output `[outChannels, inChannelsPerGroup, kH, kW]`, float32. */
  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId;
  /**
   * Optional: conv2d with an epilogue applied in the same pass, for inference — `out = act(conv2d(x, w, bias) + residual)`,
   * evaluated in exactly that order in float32 (the conv's sum with its bias, then `+ residual[i]`, then the unary op's
   * `expr` with `activation.params`), so it matches the unfused kernels bit for bit where their conv does. `residual`
   * has the output's shape. Core calls it only when no gradient is recorded; a backend without it gets the same result
   * from conv2d, binary('add') and unary (core's composition, `F.fusedConv2d`). Output as conv2d.
   */
  fusedConv2d?(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, epilogue: ConvEpilogue, geo: Conv2dGeometry): DataId;

  // ---- pooling ----------------------------------------------------------------------------------
  /** Max or average pooling over the windows listed in `geo` (see Pool2dGeometry). Output `[batch, channels, outH, outW]`,
   * float32. Max: a window holding NaN gives NaN; padding never wins (an all -inf window gives -inf). */
  pool2d(x: TensorInfo, geo: Pool2dGeometry): DataId;
  /** ∂L/∂x of pool2d: max routes dy to the first arg-max of each window (the LAST NaN of a window holding NaN, the
   * first cell of an all -inf window); avg spreads dy / divisor. Output `[batch, channels, inH, inW]`, float32. */
  pool2dBackward(dy: TensorInfo, x: TensorInfo, geo: Pool2dGeometry): DataId;
}

/** The list of compute kernels, for documentation, registries and conformance reports. */
export const KERNEL_NAMES = [
  'unary', 'binary', 'cast', 'reduce', 'transpose', 'gather', 'gatherBackward', 'oneHot', 'matmul',
  'conv2d', 'conv2dBackwardInput', 'conv2dBackwardFilter', 'pool2d', 'pool2dBackward',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
