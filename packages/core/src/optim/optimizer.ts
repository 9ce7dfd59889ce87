import { tidy, noGrad } from '../engine.js';
import { fail, fmt } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** Base of the optimizers: owns per-parameter state tensors and updates parameters in place (`assign`). */
export abstract class Optimizer {
  readonly params: Tensor[];
  /** Learning rate; schedulers change it. */
  lr: number;
  protected readonly state = new Map<Tensor, Record<string, Tensor>>();
  protected stepCount = 0;

  constructor(params: Iterable<Tensor>, lr: number, name: string) {
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
