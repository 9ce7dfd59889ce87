/** @cnn/onnx: ONNX models as cnn modules. */
export { importOnnx, MIN_OPSET, MAX_OPSET } from './import.js';
export { OnnxModel } from './model.js';
export { OnnxError, OnnxUnsupportedError } from './errors.js';
export type { UnsupportedNode } from './errors.js';
export { supportedOperators } from './ops/index.js';
export { readOnnxInfo, setOnnxMetadata, onnxValueShapes, ONNX_META_KEY, type OnnxInfo, type OnnxNodeInfo, type OnnxValueInfo } from './inspect.js';
export { exportOnnx, EXPORT_MIN_OPSET, EXPORT_MAX_OPSET } from './export/export.js';
export type { ExportOnnxOptions } from './export/export.js';
export { relativeMaxError } from './compare.js';
