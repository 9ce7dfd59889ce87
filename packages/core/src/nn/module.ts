import { fail, shapeStr } from '../errors.js';
import { noGrad } from '../engine.js';
import { tensor } from '../ops/create.js';
import type { Tensor } from '../tensor.js';

/** A state-dict entry: a tensor, or plain data (as decoded from a file) with its shape. */
export type StateValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> | bigint[] | BigInt64Array; dtype?: string };

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Tensors derived from a module's parameters for speed (eval-mode folded weights): released by `dispose()` and
 * when the module goes back to training, whose updates would make them stale anyway. */
const derivedCaches = new WeakMap<Module, () => void>();

/** Registers `release` as the cache of `m` (releasing the one it had). */
export function setDerivedCache(m: Module, release: () => void): void {
  releaseDerivedCache(m);
  derivedCaches.set(m, release);
}

function releaseDerivedCache(m: Module): void {
  const release = derivedCaches.get(m);
  derivedCaches.delete(m);
  release?.();
}

/**
 * Base class of layers and models. Children, parameters and buffers are registered under the names PyTorch uses
 * (`registerModule('conv1', …)`, `registerParameter('weight', …)`, `registerBuffer('running_mean', …)`), so
 * `namedParameters()` and `stateDict()` produce PyTorch's dotted names (`layer1.0.conv1.weight`).
 */
export abstract class Module {
  training = true;
  private readonly _parameters = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _modules = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Layer type name for errors and summaries: the class's own static `layerName` (built-in layers set it, because
   * minifiers rename classes and a bundled page would otherwise report 'G: input must be 4-D'), else the class name. */
  get typeName(): string {
    const ctor = this.constructor as { name: string; layerName?: string };
    return Object.prototype.hasOwnProperty.call(ctor, 'layerName') && ctor.layerName ? ctor.layerName : ctor.name;
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    t.keep();
    this._parameters.set(name, t);
    return t;
  }

  protected registerBuffer(name: string, t: Tensor): Tensor {
    t.keep();
    this._buffers.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this._modules.set(name, m);
    return m;
  }

  /** Removes a child (containers renumber or delete entries); true when there was one. */
  protected unregisterModule(name: string): boolean {
    return this._modules.delete(name);
  }

  /** Direct children with their names. */
  namedChildren(): [string, Module][] {
    return [...this._modules.entries()];
  }

  /** This module and all descendants, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this._modules) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this._parameters) out.push([prefix ? `${prefix}.${n}` : n, p]);
    for (const [n, m] of this._modules) out.push(...m.namedParameters(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this._buffers) out.push([prefix ? `${prefix}.${n}` : n, b]);
    for (const [n, m] of this._modules) out.push(...m.namedBuffers(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  /** Parameters and buffers by dotted name, in registration order (as PyTorch's state_dict). The tensors are the
   * module's own: read them, do not dispose them. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, m] of this.namedModules()) {
      const pre = name ? `${name}.` : '';
      for (const [n, p] of m._parameters) out[pre + n] = p;
      for (const [n, b] of m._buffers) out[pre + n] = b;
    }
    return out;
  }

  /**
   * Copies values into parameters and buffers. Shapes must match exactly. With `strict` (default), missing and
   * unexpected keys are errors; otherwise they are returned.
   */
  loadStateDict(dict: Record<string, StateValue>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !(k in own));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      fail(
        `${this.typeName}.loadStateDict`,
        [missingKeys.length ? `missing keys: ${missingKeys.join(', ')}` : '', unexpectedKeys.length ? `unexpected keys: ${unexpectedKeys.join(', ')}` : '']
          .filter(Boolean)
          .join('; '),
      );
    }
    // Check every shape before changing anything, so a bad file leaves the model untouched.
    for (const [k, target] of Object.entries(own)) {
      const v = dict[k];
      if (!v) continue;
      const shape = v.shape;
      // PyTorch stores num_batches_tracked as a 0-d int64; we keep it as a 0-d int32.
      if (shape.join() !== target.shape.join()) {
        fail(`${this.typeName}.loadStateDict`, `${k}: shape ${shapeStr(shape)} in the state dict does not match the model's ${shapeStr(target.shape)}`);
      }
    }
    noGrad(() => {
      for (const [k, target] of Object.entries(own)) {
        const v = dict[k];
        if (!v) continue;
        let src: Tensor;
        if ('dataId' in v) {
          src = v.dtype === target.dtype ? v.clone() : v.toFloat();
        } else {
          const values = Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x));
          src = tensor(target.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values), target.shape, target.dtype);
        }
        if (src.dtype !== target.dtype) {
          const cast = target.dtype === 'int32' ? src.toInt() : src.toFloat();
          src.dispose();
          src = cast;
        }
        target.assign(src);
        src.dispose();
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode on this module and all descendants (dropout active, batch statistics). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) {
      m.training = mode;
      if (mode) releaseDerivedCache(m);
    }
    return this;
  }

  /** Evaluation mode: dropout off, running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Frees all parameters and buffers. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      releaseDerivedCache(m);
      for (const p of m._parameters.values()) p.dispose();
      for (const b of m._buffers.values()) b.dispose();
    }
  }

  numParameters(): number {
    return this.parameters().reduce((a, p) => a + p.size, 0);
  }
}
