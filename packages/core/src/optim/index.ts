export { Optimizer } from './optimizer.js';
export type { OptimizerStateDict, OptimizerStateValue } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions } from './adam.js';
export { LRScheduler, StepLR, CosineAnnealingLR } from './scheduler.js';
export type { LRSchedulerStateDict } from './scheduler.js';
