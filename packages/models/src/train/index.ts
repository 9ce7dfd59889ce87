export { fit, evaluate } from './fit.js';
export type { FitOptions, FitCallbacks, BatchStats, EpochStats, CheckpointInfo, History, EvaluateResult, LossFn } from './fit.js';
