import { fail, fmt } from '../errors.js';
import type { Optimizer } from './optimizer.js';

/** A scheduler's state (as torch's lr_scheduler state_dict): its type, the epoch count and the base and last rates. */
export interface LRSchedulerStateDict {
  type: string;
  epoch: number;
  baseLr: number;
  lr: number;
  /** The schedule's options (StepLR: stepSize, gamma; CosineAnnealingLR: tMax, etaMin), checked on load. */
  options: Record<string, number>;
}

/** Base of learning-rate schedulers: call `step()` once per epoch, after the optimizer's steps. */
export abstract class LRScheduler {
  readonly baseLr: number;
  epoch = 0;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  /** The schedule's options, recorded by stateDict (subclasses list theirs). */
  protected options(): Record<string, number> {
    return {};
  }
  /** The type a state dict records; literal in each subclass, as bundlers may rename classes. */
  protected get typeName(): string {
    return this.constructor.name;
  }
  /** The state to save beside the optimizer's; loadStateDict restores it (the optimizer's lr included). */
  stateDict(): LRSchedulerStateDict {
    return { type: this.typeName, epoch: this.epoch, baseLr: this.baseLr, lr: this.optimizer.lr, options: this.options() };
  }
  /** Restores `stateDict()`'s result; the type and options must match this scheduler's. Sets the optimizer's lr. */
  loadStateDict(dict: LRSchedulerStateDict): void {
    const op = `${this.typeName}.loadStateDict`;
    if (!dict || dict.type !== this.typeName) fail(op, `the state dict is of a ${fmt(dict?.type)} scheduler, not ${this.typeName}`);
    if (JSON.stringify(dict.options) !== JSON.stringify(this.options())) fail(op, `options ${JSON.stringify(dict.options)} in the state dict differ from this scheduler's ${JSON.stringify(this.options())}`);
    if (!(Number.isInteger(dict.epoch) && dict.epoch >= 0)) fail(op, `epoch must be an integer ≥ 0, got ${fmt(dict.epoch)}`);
    for (const k of ['baseLr', 'lr'] as const) if (!(typeof dict[k] === 'number' && Number.isFinite(dict[k]) && dict[k] >= 0)) fail(op, `${k} must be a finite number ≥ 0, got ${fmt(dict[k])}`);
    // baseLr is read-only to users; a restored schedule must start from the saved run's base rate.
    (this as { baseLr: number }).baseLr = dict.baseLr;
    this.epoch = dict.epoch;
    this.optimizer.lr = dict.lr;
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
  protected override get typeName(): string {
    return 'StepLR';
  }
  protected override options(): Record<string, number> {
    return { stepSize: this.stepSize, gamma: this.gamma };
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
  protected override get typeName(): string {
    return 'CosineAnnealingLR';
  }
  protected override options(): Record<string, number> {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }
  protected lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
