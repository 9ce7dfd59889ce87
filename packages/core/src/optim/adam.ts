import { add, binaryRaw, mul, unaryRaw } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { checkRange, Optimizer } from './optimizer.js';
import { fail } from '../errors.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Adam, as torch.optim.Adam (weight decay added to the gradient, L2 style). */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW decays the weights directly instead of through the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}, name = 'Adam', defaultWeightDecay = 0) {
    super(params, opts.lr ?? 1e-3, name);
    const [b1, b2] = opts.betas ?? [0.9, 0.999];
    this.betas = [checkRange(name, 'betas[0]', b1, 0, 1, true), checkRange(name, 'betas[1]', b2, 0, 1, true)];
    this.eps = checkRange(name, 'eps', opts.eps ?? 1e-8, 0, Infinity);
    this.weightDecay = checkRange(name, 'weightDecay', opts.weightDecay ?? defaultWeightDecay, 0, Infinity);
  }

  private stepsOf = new Map<Tensor, number>();

  protected override hyperparameters(): Record<string, number | boolean | number[]> {
    return { betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay, decoupled: this.decoupled };
  }

  protected override scalarState(p: Tensor): Record<string, number> | undefined {
    const t = this.stepsOf.get(p);
    return t === undefined ? undefined : { step: t };
  }

  protected override loadScalarState(p: Tensor, s: Record<string, number>): void {
    if (s.step === undefined) {
      this.stepsOf.delete(p);
      return;
    }
    if (!(Number.isInteger(s.step) && s.step >= 0)) fail(`${this.typeName}.loadStateDict`, `step must be an integer ≥ 0, got ${String(s.step)}`);
    this.stepsOf.set(p, s.step);
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>) {
    const [b1, b2] = this.betas;
    const t = (this.stepsOf.get(p) ?? 0) + 1;
    this.stepsOf.set(p, t);
    let param = p;
    let g = grad;
    if (this.weightDecay) {
      if (this.decoupled) param = mul(p, 1 - this.lr * this.weightDecay);
      else g = add(grad, mul(p, this.weightDecay));
    }
    // One pass per line (fused table ops): m·β₁ + g·(1 − β₁); v·β₂ + g²·(1 − β₂); √v/√bc2 + eps; p − lr/bc1 · m/denom.
    // PyTorch rounds after each of its in-place steps; these round once per line — equal to within a float32 ulp.
    // The first step's moments are g·(1 − β₁) and g²·(1 − β₂), as PyTorch's zero-initialised buffers give them.
    const m = state.m ? binaryRaw('axpby', state.m, g, [b1, 1 - b1]) : unaryRaw('affine', g, [1 - b1, 0]);
    const v = state.v ? binaryRaw('axpbySquare', state.v, g, [b2, 1 - b2]) : unaryRaw('affine', unaryRaw('square', g), [1 - b2, 0]);
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    const denom = unaryRaw('sqrtAffine', v, [1 / Math.sqrt(bc2), this.eps]);
    const next = binaryRaw('axpby', param, binaryRaw('div', m, denom), [1, -this.lr / bc1]);
    return { param: next, state: { m, v } };
  }
}

/** AdamW, as torch.optim.AdamW: decoupled weight decay (default 0.01). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params, opts, 'AdamW', 0.01);
  }
}
