/** @cnn/onnx: ONNX models as cnn modules. */
export { importOnnx, MIN_OPSET, MAX_OPSET } from './import.js';
export { OnnxModel } from './model.js';
export { OnnxError } from './errors.js';
export { supportedOperators } from './ops/index.js';
