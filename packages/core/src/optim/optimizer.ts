import { tidy, noGrad } from '../engine.js';
import { fail, fmt } from '../errors.js';
import { tensor } from '../ops/create.js';
import type { Tensor } from '../tensor.js';

/** A state tensor in a state dict being loaded: a tensor (copied), or plain values (e.g. decoded from a file). */
export type OptimizerStateValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

/**
 * An optimizer's state, as torch.optim.Optimizer.state_dict(): per-parameter state keyed by the parameter's index in
 * `params` (Adam: `m`, `v` and the scalar `step`; SGD with momentum: `buf`), the learning rate, the number of steps
 * taken and the hyperparameters (checked on load, not loaded). From `stateDict()` the tensors are the optimizer's own
 * (read them, do not dispose them); `loadStateDict` copies.
 */
export interface OptimizerStateDict<T = Tensor> {
  type: string;
  lr: number;
  stepCount: number;
  hyperparameters: Record<string, number | boolean | number[]>;
  /** Parameter index → state tensor name → tensor. Parameters without state (no step yet) are absent. */
  state: Record<number, Record<string, T>>;
  /** Parameter index → scalar state (Adam: `step`). */
  scalars: Record<number, Record<string, number>>;
}

/** Base of the optimizers: owns per-parameter state tensors and updates parameters in place (`assign`). */
export abstract class Optimizer {
  readonly params: Tensor[];
  /** Learning rate; schedulers change it. */
  lr: number;
  protected readonly state = new Map<Tensor, Record<string, Tensor>>();
  protected stepCount = 0;
  /** The type a state dict records ('Adam', 'SGD', …): given by each subclass, as bundlers may rename classes. */
  protected readonly typeName: string;

  constructor(params: Iterable<Tensor>, lr: number, name: string) {
    this.typeName = name;
    this.params = [...params];
    if (this.params.length === 0) fail(name, 'got an empty parameter list');
    if (!(typeof lr === 'number' && lr >= 0 && Number.isFinite(lr))) fail(name, `lr must be a finite number ≥ 0, got ${fmt(lr)}`);
    this.lr = lr;
  }

  /** Clears the gradients of every parameter (sets them to null, freeing them). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    noGrad(() => {
      for (const p of this.params) {
        const g = p.grad;
        if (!g) continue;
        const st = this.state.get(p) ?? {};
        this.state.set(p, st);
        tidy(() => {
          const updates = this.update(p, g, st);
          // New state tensors survive the tidy scope; the ones they replace are freed.
          for (const [k, v] of Object.entries(updates.state)) {
            if (st[k] === v) continue;
            st[k]?.dispose();
            st[k] = v.keep();
          }
          p.assign(updates.param);
        });
      }
    });
  }

  /** Computes the new parameter value and state for one parameter. Runs inside tidy and noGrad. */
  protected abstract update(p: Tensor, grad: Tensor, state: Record<string, Tensor>): { param: Tensor; state: Record<string, Tensor> };

  /** The hyperparameters a state dict records (and `loadStateDict` checks). */
  protected hyperparameters(): Record<string, number | boolean | number[]> {
    return {};
  }

  /** Scalar per-parameter state (Adam's step counts); none by default. */
  protected scalarState(_p: Tensor): Record<string, number> | undefined {
    return undefined;
  }

  protected loadScalarState(_p: Tensor, _s: Record<string, number>): void {}

  /** The whole optimizer state (see OptimizerStateDict); save it beside the model to resume training exactly. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, Record<string, Tensor>> = {};
    const scalars: Record<number, Record<string, number>> = {};
    this.params.forEach((p, i) => {
      const st = this.state.get(p);
      if (st && Object.keys(st).length) state[i] = { ...st };
      const sc = this.scalarState(p);
      if (sc) scalars[i] = sc;
    });
    return { type: this.typeName, lr: this.lr, stepCount: this.stepCount, hyperparameters: this.hyperparameters(), state, scalars };
  }

  /**
   * Restores `stateDict()`'s result (tensors or plain `{ shape, data }` values): learning rate, step count and every
   * parameter's state, replacing the current state. The optimizer type, the hyperparameters and each state tensor's
   * shape must match this optimizer's (checked before anything changes).
   */
  loadStateDict(dict: OptimizerStateDict<OptimizerStateValue>): void {
    const op = `${this.typeName}.loadStateDict`;
    if (!dict || typeof dict !== 'object') fail(op, 'expects the object stateDict() returns');
    if (dict.type !== this.typeName) fail(op, `the state dict is of a ${fmt(dict.type)} optimizer, not ${this.typeName}`);
    if (!(typeof dict.lr === 'number' && Number.isFinite(dict.lr) && dict.lr >= 0)) fail(op, `lr must be a finite number ≥ 0, got ${fmt(dict.lr)}`);
    if (!(Number.isInteger(dict.stepCount) && dict.stepCount >= 0)) fail(op, `stepCount must be an integer ≥ 0, got ${fmt(dict.stepCount)}`);
    const mine = this.hyperparameters();
    for (const [k, v] of Object.entries(mine)) {
      if (JSON.stringify(dict.hyperparameters?.[k]) !== JSON.stringify(v)) fail(op, `hyperparameter ${k} is ${JSON.stringify(dict.hyperparameters?.[k])} in the state dict but ${JSON.stringify(v)} here`);
    }
    const indices = (rec: Record<number, unknown> | undefined, what: string): number[] =>
      Object.keys(rec ?? {}).map((k) => {
        const i = Number(k);
        if (!(Number.isInteger(i) && i >= 0 && i < this.params.length)) fail(op, `${what} names parameter ${k}; this optimizer has ${this.params.length}`);
        return i;
      });
    for (const i of indices(dict.state, 'state')) {
      for (const [k, v] of Object.entries(dict.state[i])) {
        if (v.shape.join() !== this.params[i].shape.join()) fail(op, `state ${k} of parameter ${i} has shape [${v.shape.join(', ')}], the parameter [${this.params[i].shape.join(', ')}]`);
      }
    }
    const scalarIdx = indices(dict.scalars, 'scalars');
    this.dispose();
    noGrad(() => {
      for (const i of indices(dict.state, 'state')) {
        const st: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(dict.state[i])) {
          st[k] = ('dataId' in v ? v.clone() : tensor(Float32Array.from(v.data), [...v.shape])).keep();
        }
        this.state.set(this.params[i], st);
      }
    });
    for (const p of this.params) this.loadScalarState(p, {});
    for (const i of scalarIdx) this.loadScalarState(this.params[i], dict.scalars[i]);
    this.lr = dict.lr;
    this.stepCount = dict.stepCount;
  }

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const st of this.state.values()) for (const t of Object.values(st)) t.dispose();
    this.state.clear();
  }
}

export function checkRange(name: string, key: string, v: number, lo: number, hi: number, hiOpen = false): number {
  if (!(typeof v === 'number' && v >= lo && (hiOpen ? v < hi : v <= hi))) fail(name, `${key} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${fmt(v)}`);
  return v;
}
