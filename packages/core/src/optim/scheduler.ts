import { fail, fmt } from '../errors.js';
import type { Optimizer } from './optimizer.js';

/** Base of learning-rate schedulers: call `step()` once per epoch, after the optimizer's steps. */
export abstract class LRScheduler {
  readonly baseLr: number;
  epoch = 0;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  protected abstract lrAt(epoch: number): number;
  step(): void {
    this.epoch++;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
  getLastLr(): number {
    return this.optimizer.lr;
  }
}

/** Multiplies the learning rate by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    if (!Number.isInteger(opts?.stepSize) || opts.stepSize < 1) fail('StepLR', `stepSize must be an integer ≥ 1, got ${fmt(opts?.stepSize)}`);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * Math.pow(this.gamma, Math.floor(epoch / this.stepSize));
  }
}

/** Cosine annealing from the base rate to etaMin over tMax epochs (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, opts: { tMax: number; etaMin?: number }) {
    super(optimizer);
    if (!Number.isInteger(opts?.tMax) || opts.tMax < 1) fail('CosineAnnealingLR', `tMax must be an integer ≥ 1, got ${fmt(opts?.tMax)}`);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
  }
  protected lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
