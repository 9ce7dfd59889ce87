import { add, binaryRaw, mul } from '../ops/elementwise.js';
import type { Tensor } from '../tensor.js';
import { checkRange, Optimizer } from './optimizer.js';
import { fail } from '../errors.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, as torch.optim.SGD. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    super(params, opts?.lr, 'SGD');
    this.momentum = checkRange('SGD', 'momentum', opts.momentum ?? 0, 0, Infinity);
    this.dampening = checkRange('SGD', 'dampening', opts.dampening ?? 0, 0, 1);
    this.weightDecay = checkRange('SGD', 'weightDecay', opts.weightDecay ?? 0, 0, Infinity);
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) fail('SGD', 'nesterov needs momentum > 0 and dampening 0');
  }

  protected override hyperparameters(): Record<string, number | boolean | number[]> {
    return { momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor>) {
    let d = this.weightDecay ? add(grad, mul(p, this.weightDecay)) : grad;
    const out: Record<string, Tensor> = {};
    if (this.momentum) {
      // buf·momentum + d·(1 − dampening), d + buf·momentum and p − lr·d: one pass each (fused table op axpby).
      const buf = state.buf ? binaryRaw('axpby', state.buf, d, [this.momentum, 1 - this.dampening]) : d.clone();
      out.buf = buf;
      d = this.nesterov ? binaryRaw('axpby', d, buf, [1, this.momentum]) : buf;
    }
    return { param: binaryRaw('axpby', p, d, [1, -this.lr]), state: out };
  }
}
