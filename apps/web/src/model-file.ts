/**
 * A model as one file: a safetensors file whose `__metadata__` holds the architecture config (`cnn.config`, as the
 * CLI's saveModel writes) and what inference needs (`cnn.meta`: class names, input shape, normalisation).
 * (@cnn/models writes and reads it: encodeModelFile, readModelFile, buildModelFromFile.)
 */
export interface ModelFile {
  /** The file's bytes (what is downloaded, uploaded and stored in IndexedDB). */
  bytes: Uint8Array;
  /** Where it came from, for the UI: 'pretrained', 'trained in the page', a file name. */
  source: string;
  /** 'onnx' for an ONNX graph (an uploaded .onnx file, run as it is: src/onnx-file.ts); absent for a cnn model file. */
  format?: 'onnx';
}

/** Whether a model file is ONNX (its recorded format, or the name it was uploaded under). */
export function isOnnxFile(file: ModelFile): boolean {
  return file.format === 'onnx' || /\.onnx$/i.test(file.source);
}
