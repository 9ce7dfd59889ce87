export {};
export * from './data/index.js';
export * from './train/index.js';
// ---- architectures, summary, inspection, safetensors, configs (Node file I/O: '@cnn/models/node') ----
export * as models from './architectures/index.js';
export type {
  AlexNetConfig, AlexNetOptions, AutoencoderConfig, AutoencoderOptions, LeNet5Config, LeNet5Options, MnistCnnConfig, MnistCnnOptions, MobileNetV1Config, MobileNetV1Options,
  ResNetConfig, ResNetOptions, UNetConfig, UNetOptions, VggConfig, VggOptions,
} from './architectures/index.js';
export { summary, formatSummary } from './summary.js';
export type { SummaryLayer, SummaryResult, SummaryOptions, SummaryNodeReporter } from './summary.js';
export { featureMaps, forwardWithFeatureMaps, filtersToGrid, featureMapsToGrid, imagesToGrid, traceForward, withEval } from './inspect.js';
export type { FeatureMapsOptions, FilterGridOptions, GridOptions, GridImage, ImageGridOptions, LeafCall, TraceHooks } from './inspect.js';
export { encodeSafetensors, decodeSafetensors, decodeSafetensorsWithMetadata, toStateDict, MAX_HEADER_BYTES } from './safetensors.js';
export type { DecodedSafetensors, EncodeOptions, SafetensorsDType, SafetensorsEntry } from './safetensors.js';
export { buildModel, modelConfig, isModelType, MODEL_TYPES } from './config.js';
export type { ConfiguredModule, ModelConfig, ModelType, ZooConfig } from './config.js';
export {
  encodeModelFile, encodeModelFileContents, readModelFile, buildModelFromFile, checkModelMetadata, describeConfig, loadEntries, DEFAULT_MODEL_METADATA, MODEL_FILE_CONFIG_KEY, MODEL_FILE_META_KEY,
} from './model-file.js';
export type { ModelMetadata, ModelFileContents, ReadModelFileOptions } from './model-file.js';
