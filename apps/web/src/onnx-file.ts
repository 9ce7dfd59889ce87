/**
 * An uploaded `.onnx` file as the page's model: imported with @cnn/onnx (browser-safe: protobuf through
 * @bufbuild/protobuf, no Node imports, nothing in the file evaluated as code) and checked against what the page
 * feeds a model: one image batch [N, C, H, W] with C, H and W fixed and H = W (the drawing is prepared as a square
 * MNIST digit; a C-channel model gets the grey digit in every channel), and one output [N, classes].
 *
 * What the graph does not say comes from its metadata_props: `cnn.meta` (class names, input shape, normalisation,
 * written by `pnpm cnn export`, the same record as a .safetensors model file's). A file from elsewhere has none: its
 * classes are then named by output index and its pixels fed as v/255.
 */
import { noGrad, zeros, type nn } from '@cnn/core';
import { checkModelMetadata, type ModelMetadata } from '@cnn/models';
import { importOnnx, ONNX_META_KEY, readOnnxInfo, type OnnxInfo } from '@cnn/onnx';

export interface OnnxPageModel {
  model: nn.Module;
  meta: ModelMetadata;
  /** How the model panel names it: 'ONNX graph (opset 13, 15 nodes, from @cnn/onnx 0.1.0)'. */
  architecture: string;
}

const dims = (s: readonly (number | null)[]): string => `[${s.map((d) => d ?? '?').join(', ')}]`;

function fail(name: string, message: string): never {
  throw new Error(`${name}: ${message}`);
}

/** The graph's image input as [C, H, W], or an error saying what the page needs instead. */
function inputShapeOf(name: string, info: OnnxInfo): [number, number, number] {
  if (info.inputs.length !== 1) fail(name, `the graph has ${info.inputs.length} inputs (${info.inputs.map((i) => `'${i.name}'`).join(', ')}); the page feeds one image`);
  const { name: input, shape } = info.inputs[0];
  if (!shape || shape.length !== 4) {
    fail(name, `the graph's input '${input}' has shape ${shape ? dims(shape) : '(not declared)'}; the page feeds images as [N, C, H, W] (e.g. [1, 1, 28, 28])`);
  }
  const [n, c, h, w] = shape;
  if (n !== null && n !== 1) fail(name, `the graph's input '${input}' has shape ${dims(shape)}: it takes batches of exactly ${n}, and the page feeds one image (export it with batch size 1)`);
  if (c === null || h === null || w === null) fail(name, `the graph's input '${input}' has shape ${dims(shape)}; the page needs fixed channels, height and width (export it for a fixed input size, e.g. [1, 1, 28, 28])`);
  if (h !== w) fail(name, `the graph's input '${input}' is ${h}×${w}; the page prepares square digit images (H = W)`);
  return [c, h, w];
}

/** Reads and imports an ONNX model file for the page (on the active backend, in eval mode). `name` names it in errors. */
export async function readOnnxModel(bytes: Uint8Array, name: string): Promise<OnnxPageModel> {
  let info: OnnxInfo;
  try {
    info = readOnnxInfo(bytes);
  } catch (err) {
    fail(name, (err as Error).message.replace(/^readOnnxInfo: /, ''));
  }
  const inputShape = inputShapeOf(name, info);
  let given: ModelMetadata | undefined;
  if (info.metadata[ONNX_META_KEY] !== undefined) {
    try {
      given = checkModelMetadata(JSON.parse(info.metadata[ONNX_META_KEY]), ONNX_META_KEY);
    } catch (err) {
      fail(name, `its ${ONNX_META_KEY} metadata is not usable (${(err as Error).message})`);
    }
    if (given.inputShape.join() !== inputShape.join()) fail(name, `the graph takes [${inputShape.join(', ')}] images but its ${ONNX_META_KEY} metadata says [${given.inputShape.join(', ')}]`);
  }
  if (info.outputs.length !== 1) fail(name, `the graph has ${info.outputs.length} outputs (${info.outputs.map((o) => `'${o.name}'`).join(', ')}); the page shows one [N, classes] output`);
  let model: nn.Module;
  try {
    model = (await importOnnx(bytes)).eval();
  } catch (err) {
    // Unsupported operators come as one error listing every type and node; the long list of supported ones is left out.
    const [first = '', ...rest] = (err as Error).message.replace(/^importOnnx: /, '').split('\nSupported: ')[0].split('\n').map((l) => l.trim());
    fail(name, rest.length ? `${first} ${rest.join('; ')}` : first);
  }
  try {
    // One run on zeros: the output must be [1, classes], whatever the file declares.
    const x = zeros([1, ...inputShape]);
    let shape: number[];
    try {
      const y = noGrad(() => model.forward(x));
      shape = [...y.shape];
      y.dispose();
    } catch (err) {
      fail(name, `it does not run on a [1, ${inputShape.join(', ')}] image: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      x.dispose();
    }
    if (shape.length !== 2) fail(name, `its output for one image has shape [${shape.join(', ')}]; the page shows a classifier's [1, classes]`);
    const classes = shape[1];
    if (given && given.classNames.length !== classes) fail(name, `the graph has ${classes} outputs but its ${ONNX_META_KEY} metadata names ${given.classNames.length} classes`);
    const meta: ModelMetadata = given ?? {
      classNames: Array.from({ length: classes }, (_, i) => String(i)),
      inputShape,
      normalize: null,
      trainedWith: 'an ONNX file without cnn metadata: classes are its output indices, pixels fed as v/255',
    };
    const producer = info.producer ? `, from ${info.producer}` : '';
    return { model, meta, architecture: `ONNX graph (opset ${info.opset ?? '?'}, ${info.nodes.length} nodes${producer})` };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
