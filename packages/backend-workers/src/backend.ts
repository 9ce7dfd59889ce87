/**
 * The 'workers' backend. Threading model:
 * - Every kernel call returns its DataId at once and appends a task to one program-order queue on the calling thread.
 *   A task starts when the task before it has finished, so a task's inputs are always complete (read-after-write),
 *   and a DataId freed by `disposeData` is released only after every task queued before the free has run.
 * - Heavy kernels (conv forward / backward, matmul, pooling) are cut into independent parts that write disjoint
 *   slices of a SharedArrayBuffer output; each part is a message to one pool worker. Small problems and the
 *   memory-bound kernels (elementwise, reductions, layout) run inline on the calling thread — immediately when the
 *   queue is empty, so chains of small ops cost no round-trips.
 * - `read` awaits the task that produces the data; nothing ever blocks the calling thread (no Atomics.wait).
 * - A failing task (kernel error, dead worker) marks its outputs failed: `read` rejects naming the kernel and cause,
 *   tasks consuming a failed output fail the same way, and the queue goes on.
 */
import type {
  Backend, BackendMemoryInfo, BinaryOpName, BroadcastGeometry, Conv2dGeometry, ConvEpilogue, DataId, DType, GatherGeometry,
  KernelOutput, MatMulGeometry, Pool2dGeometry, ReduceGeometry, ReduceOpName, TensorInfo, TypedArray, UnaryOpName,
} from '@cnn/core';
import { BINARY_OPS, kernelOutput, kernelTimer, UNARY_OPS } from '@cnn/core';
import { unary } from './kernels/Unary.js';
import { binary } from './kernels/Binary.js';
import { cast } from './kernels/Cast.js';
import { reduce } from './kernels/Reduce.js';
import { transpose } from './kernels/Transpose.js';
import { gather } from './kernels/Gather.js';
import { gatherBackward } from './kernels/GatherBackward.js';
import { oneHot } from './kernels/OneHot.js';
import { PARALLEL_KERNELS, type ParallelKernelName } from './kernels/index.js';
import type { RunContext } from './kernels/types.js';
import { WorkerPool } from './pool.js';
import { SharedBuffers } from './shared-buffers.js';
import type { Platform, ResourceLimits } from './platform.js';
import type { Fault } from './worker/entry.js';

/** The DataId of this backend. `values` is created by the task that produces it (SharedArrayBuffer-backed when a
 * worker wrote it; an inline kernel's own array is promoted to shared memory the first time a worker needs it). */
export class WorkersData {
  values: TypedArray | null = null;
  /** Settles (never rejects) when the producing task has finished; null when it already had at write time. */
  ready: Promise<void> | null = null;
  error: Error | null = null;
  /** The failure `error` comes from: its own, or the first failed task upstream (so messages name the real cause
   * once, however long the chain of tasks that consumed it). */
  root: Error | null = null;
  disposed = false;
  constructor(readonly dtype: DType, readonly size: number) {}
}

export interface ResolvedWorkersOptions {
  threads: number;
  simd: boolean;
  /** The relaxed-SIMD build of the kernels (only with simd). */
  relaxedSimd: boolean;
  inlineBelow: number;
  resourceLimits?: ResourceLimits;
}

const INLINE_CTX: RunContext = { simd: null };
/** Elementwise ops from this many elements on go to the pool (below, a message round-trip costs more than the loop);
 * a lower `inlineBelow` (the conformance tests' 0) lowers it too. */
const ELEMENTWISE_ON_POOL = 1 << 17;
const EMPTY_F32 = new Float32Array(0);


function isShared(a: TypedArray): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

export class WorkersBackend implements Backend {
  readonly name: string;
  private numDataIds = 0;
  private numBytes = 0;
  /** Shared memory of freed outputs, for the next output of the same size (./shared-buffers.ts). */
  private readonly buffers = new SharedBuffers();
  private disposed = false;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private nextFault: { kind: Fault; kernel: string | null } | null = null;

  private constructor(name: string, private readonly pool: WorkerPool, readonly options: ResolvedWorkersOptions) {
    this.name = name;
  }

  /** Starts the pool on `platform` (Node or browser, chosen by the package entry). */
  static async create(name: string, options: ResolvedWorkersOptions, platform: Platform): Promise<WorkersBackend> {
    // WorkerPool.create checks first that the platform can run the pool (workers, shared memory) and says what to change.
    const pool = await WorkerPool.create({ threads: options.threads, simd: options.simd, relaxedSimd: options.relaxedSimd, resourceLimits: options.resourceLimits }, platform);
    return new WorkersBackend(name, pool, options);
  }

  // ---- memory ----------------------------------------------------------------------------------
  write(values: TypedArray, dtype: DType): DataId {
    const d = this.make(dtype, values.length);
    d.values = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    return d;
  }

  async read(dataId: DataId): Promise<TypedArray> {
    const d = this.data(dataId);
    if (d.ready) await d.ready;
    if (d.error) throw d.error;
    if (d.disposed) throw new Error('workers backend: DataId was disposed before its read finished');
    const v = d.values ?? EMPTY_F32;
    return v instanceof Int32Array ? new Int32Array(v) : new Float32Array(v);
  }

  disposeData(dataId: DataId): void {
    if (!(dataId instanceof WorkersData) || dataId.disposed) return;
    dataId.disposed = true;
    this.numDataIds--;
    this.numBytes -= dataId.size * 4;
    // Tasks queued before this call may still read it: release after them; its shared memory is then reused.
    const release = (): void => {
      if (dataId.values && !dataId.error) this.buffers.give(dataId.values);
      dataId.values = null;
    };
    if (this.queued === 0) release();
    else this.tail = this.tail.then(release);
  }

  memory(): BackendMemoryInfo {
    return { numDataIds: this.numDataIds, numBytes: this.numBytes, queuedTasks: this.queued, recycledBytes: this.buffers.bytes };
  }

  info(): Record<string, string | number | boolean> {
    return {
      name: this.name,
      threads: this.options.threads,
      simd: this.options.simd,
      relaxedSimd: this.options.relaxedSimd,
      kernels: this.options.simd ? `WebAssembly SIMD128${this.options.relaxedSimd ? ' + relaxed SIMD (fused multiply-add)' : ''} (AssemblyScript)` : 'JavaScript',
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.terminate();
    this.buffers.clear();
    this.numDataIds = 0;
    this.numBytes = 0;
  }

  /** Test hook (internal): the next kernel sent to the pool (the next one labelled `kernel`, e.g. 'conv2dBackwardFilter',
   * when given) makes its first worker throw ('throw'), exit ('exit'), run out of memory ('oom'), die of an uncaught
   * error ('uncaught') or spin forever ('hang', then killWorkerForTesting) instead of computing. */
  injectFaultForTesting(kind: Fault, kernel?: string): void {
    this.nextFault = { kind, kernel: kernel ?? null };
  }

  /** Test hook (internal): terminates worker `index` from outside at once, as if its thread had been killed. */
  killWorkerForTesting(index: number): void {
    this.pool.killWorkerForTesting(index);
  }

  // ---- elementwise -------------------------------------------------------------------------------
  // Float32 ops of at least ELEMENTWISE_ON_POOL elements (unary, or binary without broadcasting) are cut across the
  // pool (kernels/Elementwise.ts); the rest run inline.
  unary(op: UnaryOpName, x: TensorInfo, params: readonly number[]): DataId {
    const output = kernelOutput.unary(x);
    if (this.elementwiseOnPool(output.size) && x.dtype === 'float32') {
      return this.parallel('elementwise', { a: x, b: null }, output, { expr: UNARY_OPS[op].expr, arity: 1, params: [...params], n: output.size }, 'unary');
    }
    return this.inline('unary', [x], output, ([xv]) => unary(op, f32(xv), params));
  }

  binary(op: BinaryOpName, a: TensorInfo, b: TensorInfo, geo: BroadcastGeometry, params: readonly number[]): DataId {
    const output = kernelOutput.binary(geo);
    const { shape, aStrides, bStrides } = geo.loop;
    const flat = shape.length === 1 && aStrides[0] === 1 && bStrides[0] === 1;
    if (flat && this.elementwiseOnPool(output.size) && a.dtype === 'float32' && b.dtype === 'float32') {
      return this.parallel('elementwise', { a, b }, output, { expr: BINARY_OPS[op].expr, arity: 2, params: [...params], n: output.size }, 'binary');
    }
    return this.inline('binary', [a, b], output, ([av, bv]) => binary(op, av, bv, geo, params));
  }

  private elementwiseOnPool(size: number): boolean {
    return this.options.threads > 1 && size >= Math.min(ELEMENTWISE_ON_POOL, this.options.inlineBelow);
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    return this.inline('cast', [x], kernelOutput.cast(x, dtype), ([xv]) => cast(xv, dtype));
  }

  // ---- reductions and layout -----------------------------------------------------------------------
  reduce(op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): DataId {
    return this.inline('reduce', [x], kernelOutput.reduce(op, geo), ([xv]) => reduce(op, xv, geo));
  }

  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    return this.inline('transpose', [x], kernelOutput.transpose(x, perm), ([xv]) => transpose(xv, x.shape, perm));
  }

  gather(x: TensorInfo, geo: GatherGeometry, value: number): DataId {
    return this.inline('gather', [x], kernelOutput.gather(x, geo), ([xv]) => gather(xv, geo, value));
  }

  gatherBackward(dy: TensorInfo, geo: GatherGeometry): DataId {
    return this.inline('gatherBackward', [dy], kernelOutput.gatherBackward(geo), ([v]) => gatherBackward(f32(v), geo));
  }

  oneHot(indices: TensorInfo, depth: number): DataId {
    return this.inline('oneHot', [indices], kernelOutput.oneHot(indices, depth), ([v]) => oneHot(v, depth));
  }

  // ---- linear algebra and convolution ---------------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): DataId {
    return this.parallel('matmul', { a, b }, kernelOutput.matmul(geo), { geo });
  }

  conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): DataId {
    return this.parallel('conv2d', { x, w, bias }, kernelOutput.conv2d(geo), { geo });
  }

  /** The epilogue runs in the conv's own parts, on the region each part wrote (kernels/conv-epilogue.ts). */
  fusedConv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, epilogue: ConvEpilogue, geo: Conv2dGeometry): DataId {
    const { residual, activation } = epilogue;
    const act = activation ? { op: activation.op, params: [...activation.params], expr: UNARY_OPS[activation.op].expr } : null;
    return this.parallel('conv2d', { x, w, bias, residual }, kernelOutput.conv2d(geo), { geo, act }, 'fusedConv2d');
  }

  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.parallel('conv2dBackwardInput', { dy, w }, kernelOutput.conv2dBackwardInput(geo), { geo });
  }

  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId {
    return this.parallel('conv2dBackwardFilter', { x, dy }, kernelOutput.conv2dBackwardFilter(geo), { geo });
  }

  // ---- pooling ------------------------------------------------------------------------------------
  pool2d(x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.parallel('pool2d', { x }, kernelOutput.pool2d(geo), { geo });
  }

  pool2dBackward(dy: TensorInfo, x: TensorInfo, geo: Pool2dGeometry): DataId {
    return this.parallel('pool2dBackward', { dy, x }, kernelOutput.pool2dBackward(geo), { geo });
  }

  // ---- scheduling ---------------------------------------------------------------------------------
  private make(dtype: DType, size: number): WorkersData {
    if (this.disposed) throw new Error(`${this.name} backend: used after dispose()`);
    this.numDataIds++;
    this.numBytes += size * 4;
    return new WorkersData(dtype, size);
  }

  private data(dataId: DataId): WorkersData {
    if (!(dataId instanceof WorkersData)) throw new Error(`${this.name} backend: DataId was not made by this backend`);
    return dataId;
  }

  /** Queues `exec` after everything queued so far, or runs it now when nothing is queued and it is synchronous. */
  private schedule(kernel: string, inputs: WorkersData[], out: WorkersData, exec: () => void | Promise<void>): void {
    // While profiling (core's `profile`), the task times itself when it runs, reported under the caller's layer.
    const timer = kernelTimer();
    if (timer) exec = timer.time(kernel, exec);
    const guarded = (): void | Promise<void> => {
      for (const d of inputs) {
        if (d.error) throw new InputFailed(d.root ?? d.error);
        if (d.disposed && d.values === null) throw new Error('an input was disposed');
      }
      return exec();
    };
    let task: Promise<void>;
    if (this.queued === 0) {
      let r: void | Promise<void>;
      try {
        r = guarded();
      } catch (err) {
        fail(out, this.name, kernel, err);
        return;
      }
      if (!(r instanceof Promise)) return;
      task = r;
    } else {
      task = this.tail.then(guarded);
    }
    this.queued++;
    const done = task.then(
      () => {},
      (err: unknown) => {
        fail(out, this.name, kernel, err);
      },
    ).finally(() => {
      this.queued--;
    });
    out.ready = done;
    this.tail = done;
  }

  /** A memory-bound kernel on the calling thread; its result array becomes the output's memory, sized by `output`
   * (core's kernelOutput for the kernel). */
  private inline(kernel: string, ops: TensorInfo[], output: KernelOutput, fn: (values: TypedArray[]) => TypedArray): DataId {
    const inputs = ops.map((t) => this.data(t.dataId));
    const out = this.make(output.dtype, output.size);
    this.schedule(kernel, inputs, out, () => {
      out.values = fn(inputs.map((d) => d.values!));
    });
    return out;
  }

  /**
   * A kernel from PARALLEL_KERNELS: inline when its cost is below the threshold, else one message per planned part.
   * `ops` are tensor operands (float32 views at run time), `output` the kernel's output as core states it
   * (kernelOutput), `extra` the plain arguments.
   */
  private parallel(
    kernel: ParallelKernelName, ops: Record<string, TensorInfo | null>, output: KernelOutput, extra: Record<string, unknown>, label: string = kernel,
  ): DataId {
    const spec = PARALLEL_KERNELS[kernel];
    const entries = Object.entries(ops).map(([k, t]) => [k, t ? this.data(t.dataId) : null] as const);
    const inputs = entries.flatMap(([, d]) => (d ? [d] : []));
    const { size } = output;
    const out = this.make(output.dtype, size);
    this.schedule(label, inputs, out, () => {
      const args: Record<string, unknown> = { ...extra };
      const useInline = spec.cost(args) < this.options.inlineBelow || size === 0;
      for (const [k, d] of entries) args[k] = d ? this.operand(d, !useInline) : null;
      if (useInline) {
        const o = new Float32Array(size);
        args.out = o;
        for (const part of spec.plan(args, 1, false)) spec.run(args, part, INLINE_CTX);
        out.values = o;
        return;
      }
      const o = this.buffers.take(size);
      args.out = o;
      out.values = o;
      const parts = spec.plan(args, this.options.threads, this.options.simd);
      let fault: Fault | undefined;
      if (this.nextFault && (this.nextFault.kernel === null || this.nextFault.kernel === label)) {
        fault = this.nextFault.kind;
        this.nextFault = null;
      }
      return this.pool.run(kernel, args, parts, fault);
    });
    return out;
  }

  /** A float32 view of an operand; in shared memory when it goes to a worker (promoting it once if needed). */
  private operand(d: WorkersData, shared: boolean): Float32Array {
    let v = d.values!;
    if (v instanceof Int32Array) v = Float32Array.from(v);
    else if (shared && !isShared(v)) {
      const copy = this.buffers.take(v.length);
      copy.set(v);
      v = copy;
      d.values = v;
    }
    return v as Float32Array;
  }
}

function f32(v: TypedArray): Float32Array {
  return v instanceof Float32Array ? v : Float32Array.from(v);
}

/** Thrown by a task whose input failed: carries the first failure upstream. */
class InputFailed extends Error {
  constructor(readonly root: Error) {
    super(`an input failed earlier (${root.message})`, { cause: root });
  }
}

/** Marks `out` failed with an error naming the backend, the kernel and the cause. */
function fail(out: WorkersData, backend: string, kernel: string, err: unknown): void {
  const cause = err instanceof Error ? err.message : String(err);
  out.error = new Error(`${backend} backend: kernel '${kernel}' failed: ${cause}`, { cause: err });
  out.root = err instanceof InputFailed ? err.root : out.error;
}
