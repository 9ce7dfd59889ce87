export { fit, evaluate } from './fit.js';
export type { FitOptions, FitCallbacks, BatchStats, EpochStats, CheckpointInfo, History, EvaluateResult, LossFn } from './fit.js';
export { fitDenoiser, evaluateDenoiser, denoiseSamples, addGaussianNoise, psnr } from './denoise.js';
export type { NoiseOptions, DenoiseResult, DenoiseBatchStats, DenoiseEpochStats, DenoiseHistory, FitDenoiserOptions } from './denoise.js';
export { trainLoop, assertFiniteWeights, TrainingDivergedError, TrainingInterruptedError, TrainingStepError, NonFiniteWeightsError } from './loop.js';
export type { TrainState, StepOutcome, StepFn, LoopOptions, BatchProgress, EpochProgress } from './loop.js';
export { encodeCheckpoint, decodeCheckpoint, restoreCheckpoint, CHECKPOINT_MODEL_FILE, CHECKPOINT_OPTIMIZER_FILE, CHECKPOINT_STATE_FILE } from './checkpoint.js';
export type { Checkpoint, CheckpointFiles } from './checkpoint.js';
