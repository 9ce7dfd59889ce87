export { fit, evaluate } from './fit.js';
export type { FitOptions, FitCallbacks, BatchStats, EpochStats, CheckpointInfo, History, EvaluateResult, LossFn } from './fit.js';
export { fitDenoiser, evaluateDenoiser, denoiseSamples, addGaussianNoise, psnr } from './denoise.js';
export type { NoiseOptions, DenoiseResult, DenoiseBatchStats, DenoiseEpochStats, DenoiseHistory, FitDenoiserOptions } from './denoise.js';
