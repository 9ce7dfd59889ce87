/**
 * The Tensor class: identity, shape, memory ownership and data access. A leaf module on purpose: it imports no ops and
 * no autograd, so no module cycle runs through it. Its operation methods (`t.add(...)`, `t.backward()`) are declared
 * here and installed on the prototype by `ops/install-methods.ts`, which the package entry imports first.
 */
import type { Backend, DataId, DType, TensorInfo, TypedArray } from './backend/contract.js';
import { CnnError, shapeStr } from './errors.js';
import { afterRead, disposeTensor, nextTensorId, releaseData, retainData, TENSOR_BRAND, trackTensor, untrackTensor, type Allocation } from './engine.js';
import { sizeOf } from './geometry/broadcast.js';

/** A node of the autograd tape: how to turn the output's gradient into the inputs' gradients. */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Returns one gradient per input (null where the input needs none). Runs with recording off. */
  backward(dy: Tensor): (Tensor | null)[];
  /** Set on the node that replaces this one once `backward()` has used and freed it (without `retainGraph`): it has no
   * inputs and saved nothing, and a second backward through it throws. */
  readonly released?: boolean;
}

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep the graph (each node's saved tensors) for another backward through it, as PyTorch's `retain_graph`.
   * Default false: every node backward runs is freed after use, and the intermediates its output owns with it. */
  retainGraph?: boolean;
}

/**
 * An n-dimensional array on a backend. Row-major, float32 (int32 for indices and labels). Operations dispatch
 * without waiting; `await t.data()` reads the values. Tensors own backend memory: `dispose()` them, or create them
 * inside `tidy()`.
 */
/** Shape arguments as PyTorch takes them: `t.reshape(2, 3)` or `t.reshape([2, 3])`. */
export type ShapeArgs = number[] | [readonly number[]];

/**
 * The operations every tensor has as methods. Each is the function of the same name in `F` (./ops) with this tensor
 * as its first operand; `ops/install-methods.ts` implements every member (the compiler checks that none is missing).
 */
export interface TensorMethods {
  add(b: Tensor | number): Tensor;
  sub(b: Tensor | number): Tensor;
  mul(b: Tensor | number): Tensor;
  div(b: Tensor | number): Tensor;
  pow(exponent: Tensor | number): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  abs(): Tensor;
  square(): Tensor;
  relu(): Tensor;
  sigmoid(): Tensor;
  tanh(): Tensor;
  sum(dim?: number | number[], keepDim?: boolean): Tensor;
  mean(dim?: number | number[], keepDim?: boolean): Tensor;
  max(dim?: number | number[], keepDim?: boolean): Tensor;
  min(dim?: number | number[], keepDim?: boolean): Tensor;
  argmax(dim?: number, keepDim?: boolean): Tensor;
  argmin(dim?: number, keepDim?: boolean): Tensor;
  reshape(...shape: ShapeArgs): Tensor;
  /** Same as reshape (shares memory). */
  view(...shape: ShapeArgs): Tensor;
  flatten(startDim?: number, endDim?: number): Tensor;
  transpose(dim0: number, dim1: number): Tensor;
  permute(...dims: ShapeArgs): Tensor;
  squeeze(dim?: number): Tensor;
  unsqueeze(dim: number): Tensor;
  matmul(b: Tensor): Tensor;
  /** Values without autograd history, sharing memory. */
  detach(): Tensor;
  clone(): Tensor;
  toFloat(): Tensor;
  toInt(): Tensor;
  /** Computes gradients of this tensor (a scalar, or with an explicit `grad` of the same shape) with respect to every
   * leaf that requires grad, accumulating into their `.grad`; then frees the graph it went through, unless
   * `{ retainGraph: true }` (as PyTorch: a second backward through a freed graph throws). `t.backward({ retainGraph })`
   * works too. */
  backward(grad?: Tensor | BackwardOptions | null, options?: BackwardOptions): void;
}

export class Tensor implements TensorInfo, TensorMethods {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly backend: Backend;
  /** Set by autograd for tensors computed from tensors that require grad. */
  gradFn: GradFn | null = null;
  private readonly _alloc: Allocation;
  private _requiresGrad = false;
  private _grad: Tensor | null = null;
  private _disposed = false;
  private _kept = false;
  private _owned: Tensor[] | null = null;

  constructor(dataId: DataId, shape: readonly number[], dtype: DType, backend: Backend) {
    this.id = nextTensorId();
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.backend = backend;
    this._alloc = trackTensor(this, backend, dataId, this.shape, dtype);
  }

  get dataId(): DataId {
    if (this._disposed) throw new CnnError(`Tensor ${this.id} (shape ${shapeStr(this.shape)}) is disposed`);
    return this._alloc.dataId;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Whether autograd computes a gradient for this tensor. Settable on leaves; parameters have it on. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (v && this.dtype !== 'float32') throw new CnnError(`requiresGrad: only float32 tensors can require gradients, got ${this.dtype}`);
    this._requiresGrad = v;
  }

  /** Accumulated gradient of a leaf after `backward()`. Owned by this tensor; `t.grad = null` frees it. */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g === this._grad) return;
    if (g) {
      if (g.shape.join() !== this.shape.join()) throw new CnnError(`grad: shape ${shapeStr(g.shape)} does not match tensor shape ${shapeStr(this.shape)}`);
      g.keep();
    }
    this._grad?.dispose();
    this._grad = g;
  }

  /** Whether this is a leaf of the autograd graph (created by the user, not computed). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Exempts this tensor from disposal by enclosing `tidy` scopes. */
  keep(): this {
    this._kept = true;
    untrackTensor(this);
    return this;
  }
  /** Makes this tensor own `tensors` (intermediates of a composite op that its autograd graph still uses): they
   * leave tidy scopes and are disposed with this tensor. */
  own(...tensors: Tensor[]): this {
    for (const t of tensors) {
      if (t === this) continue;
      t.keep();
      (this._owned ??= []).push(t);
    }
    return this;
  }
  get isKept(): boolean {
    return this._kept;
  }

  /** @internal Autograd, once this node's backward has run without `retainGraph`: swaps `gradFn` for `released`,
   * and hands over the tensors this one owns that exist only for the graph (all but leaves requiring grad, whose
   * `.grad` is a result), for autograd to dispose when the whole pass is done. */
  _releaseGraph(released: GradFn): Tensor[] {
    this.gradFn = released;
    const owned = this._owned;
    if (!owned) return [];
    const keep = owned.filter((t) => t.requiresGrad && t.isLeaf);
    this._owned = keep.length ? keep : null;
    return owned.filter((t) => !keep.includes(t));
  }

  /** Resolves with a copy of the values once every pending operation on them has finished. */
  async data(): Promise<TypedArray> {
    const values = await this.backend.read(this.dataId);
    const turn = afterRead(); // lets the safety net's callbacks run (see engine.ts); usually null
    if (turn) await turn;
    return values;
  }

  /** Synchronous read, where the backend supports it (cpu). Prefer `await data()`. */
  dataSync(): TypedArray {
    if (!this.backend.readSync) {
      throw new CnnError(`dataSync: the '${this.backend.name}' backend reads asynchronously only; use await tensor.data()`);
    }
    return this.backend.readSync(this.dataId);
  }

  /** The values as (nested) JavaScript arrays. */
  async array(): Promise<NestedArray> {
    return nest(Array.from(await this.data()), this.shape);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new CnnError(`item: tensor has ${this.size} elements (shape ${shapeStr(this.shape)}), expected 1`);
    return (await this.data())[0];
  }

  /** Frees the backend memory (shared memory is freed with its last tensor) and this tensor's gradient. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    disposeTensor(this, this._alloc);
    releaseData(this.backend, this._alloc.dataId);
    this._grad?.dispose();
    this._grad = null;
    this.gradFn = null;
    if (this._owned) for (const t of this._owned) t.dispose();
    this._owned = null;
  }

  /** Replaces this tensor's values with `value`'s (same shape), keeping its identity: how optimizers update
   * parameters in place. `value` stays usable and may be disposed independently. */
  assign(value: Tensor): this {
    if (value.shape.join() !== this.shape.join() || value.dtype !== this.dtype) {
      throw new CnnError(`assign: value of shape ${shapeStr(value.shape)} ${value.dtype} does not match ${shapeStr(this.shape)} ${this.dtype}`);
    }
    if (value.backend !== this.backend) throw new CnnError(`assign: value lives on backend '${value.backend.name}', tensor on '${this.backend.name}'`);
    const old = this.dataId;
    retainData(value.dataId, value._alloc.bytes);
    this._alloc.dataId = value.dataId;
    releaseData(this.backend, old);
    return this;
  }

  toString(): string {
    return `Tensor(shape=${shapeStr(this.shape)}, dtype=${this.dtype}, backend=${this.backend.name}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- operations as methods: declared here, installed by ops/install-methods.ts (see TensorMethods) ----------
  declare add: TensorMethods['add'];
  declare sub: TensorMethods['sub'];
  declare mul: TensorMethods['mul'];
  declare div: TensorMethods['div'];
  declare pow: TensorMethods['pow'];
  declare neg: TensorMethods['neg'];
  declare exp: TensorMethods['exp'];
  declare log: TensorMethods['log'];
  declare sqrt: TensorMethods['sqrt'];
  declare abs: TensorMethods['abs'];
  declare square: TensorMethods['square'];
  declare relu: TensorMethods['relu'];
  declare sigmoid: TensorMethods['sigmoid'];
  declare tanh: TensorMethods['tanh'];
  declare sum: TensorMethods['sum'];
  declare mean: TensorMethods['mean'];
  declare max: TensorMethods['max'];
  declare min: TensorMethods['min'];
  declare argmax: TensorMethods['argmax'];
  declare argmin: TensorMethods['argmin'];
  declare reshape: TensorMethods['reshape'];
  declare view: TensorMethods['view'];
  declare flatten: TensorMethods['flatten'];
  declare transpose: TensorMethods['transpose'];
  declare permute: TensorMethods['permute'];
  declare squeeze: TensorMethods['squeeze'];
  declare unsqueeze: TensorMethods['unsqueeze'];
  declare matmul: TensorMethods['matmul'];
  declare detach: TensorMethods['detach'];
  declare clone: TensorMethods['clone'];
  declare toFloat: TensorMethods['toFloat'];
  declare toInt: TensorMethods['toInt'];
  declare backward: TensorMethods['backward'];
}

export type NestedArray = number | NestedArray[];

function nest(flat: number[], shape: readonly number[]): NestedArray {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const step = sizeOf(rest);
  const out: NestedArray[] = [];
  for (let i = 0; i < d; i++) out.push(nest(flat.slice(i * step, (i + 1) * step), rest));
  return out;
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

// How `tidy` recognises tensors in a result without importing this module (see TENSOR_BRAND in engine.ts).
Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: true });
