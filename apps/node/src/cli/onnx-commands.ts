/** `cnn export` (a trained model → .onnx) and `cnn summary --onnx` (an ONNX graph's nodes). */
import { dirname, join } from 'node:path';
import { noGrad, rand, type nn, type Tensor } from '@cnn/core';
import type { ModelMetadata } from '@cnn/models';
import { writeFileAtomic } from '@cnn/models/node';
import {
  EXPORT_MAX_OPSET, EXPORT_MIN_OPSET, exportOnnx, importOnnx, ONNX_META_KEY, onnxValueShapes, relativeMaxError, setOnnxMetadata,
} from '@cnn/onnx';
import { choiceArg, CliError, intArg } from './args.js';
import { BACKENDS, useBackend, type BackendChoice } from './backend.js';
import type { Command } from './commands.js';
import { loadModelSource, modelSource, MODEL_SOURCE_OPTIONS } from './model-dir.js';
import { onnxInfoOf, onnxMessage, ONNX_MODEL_KEY, readBytes } from './onnx-model.js';

const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const num = (n: number): string => n.toLocaleString('en-US');

export const exportCmd: Command = {
  spec: {
    name: 'export',
    summary:
      'Export a trained model as ONNX (for ONNX Runtime and other engines). The graph takes one image [1, C, H, W] ' +
      "(the model's input shape) and its metadata_props carry the class names and input normalisation (cnn.meta), so " +
      'that predict --model <file.onnx> and the web app read it as the model folder. Written atomically (temp file + rename).',
    usage: 'export (--model-dir <dir> | --model <file.safetensors>) [--out model.onnx] [--opset 13]',
    options: {
      ...MODEL_SOURCE_OPTIONS,
      out: { type: 'string', arg: '<file.onnx>', help: 'output file', default: '<dir>/model.onnx' },
      opset: { type: 'string', arg: '<n>', help: `ONNX opset, ${EXPORT_MIN_OPSET} to ${EXPORT_MAX_OPSET}`, default: '13' },
      backend: { type: 'string', arg: '<name>', help: `compute backend for the traced forward pass: ${BACKENDS.join(' | ')}`, default: 'cpu' },
    },
  },
  async run({ values: v }) {
    const c = 'export';
    const opset = intArg(c, 'opset', v.opset, 1)!;
    if (opset < EXPORT_MIN_OPSET || opset > EXPORT_MAX_OPSET) throw new CliError(`${c}: --opset must be from ${EXPORT_MIN_OPSET} to ${EXPORT_MAX_OPSET}, got '${opset}'`, 2);
    const src = modelSource(c, v);
    if ('onnx' in src) throw new CliError(`${c}: ${src.onnx} is already an ONNX file`, 2);
    const out =
      v.out === undefined || v.out === '<dir>/model.onnx'
        ? 'dir' in src
          ? join(src.dir, 'model.onnx')
          : src.source !== undefined
            ? join(src.source, 'model.onnx')
            : join(dirname(src.file), `${src.file.replace(/^.*[\\/]/, '').replace(/\.safetensors$/i, '')}.onnx`)
        : String(v.out);
    await useBackend(choiceArg(c, 'backend', v.backend, BACKENDS) as BackendChoice);
    const m = await loadModelSource(src);
    const inputShape = [1, ...m.inputShape];
    let bytes: Uint8Array;
    let check: number | string;
    try {
      try {
        bytes = await exportOnnx(m.model, { inputShape, opset });
      } catch (err) {
        throw new CliError(`cannot export ${m.source}: ${onnxMessage(err)}`);
      }
      const meta: ModelMetadata = {
        classNames: m.classNames,
        inputShape: m.inputShape,
        normalize: m.normalize,
        ...(m.dataset !== undefined ? { dataset: m.dataset } : {}),
        trainedWith: `pnpm cnn: ${m.name} from ${m.source}, exported at opset ${opset}`,
      };
      bytes = setOnnxMetadata(bytes, { [ONNX_META_KEY]: JSON.stringify(meta), [ONNX_MODEL_KEY]: m.name });
      // Read the file back as the importer will and compare answers on one random image: a broken export is caught
      // here, not by whoever runs the file later. An operator the importer lacks does not stop the export (ONNX
      // Runtime may still run the file): it is reported instead of the check.
      const x = rand(inputShape);
      let ys: Tensor[] = [];
      let back: nn.Module | null = null;
      try {
        back = (await importOnnx(bytes)).eval();
        const onnx = back;
        ys = noGrad(() => [m.model.forward(x), onnx.forward(x)]);
        // how far the ONNX graph's answer is from the cnn model's
        check = relativeMaxError(ys[1].dataSync(), ys[0].dataSync());
      } catch (err) {
        check = onnxMessage(err);
      } finally {
        for (const t of [x, ...ys]) t.dispose();
        back?.dispose();
      }
    } finally {
      m.model.dispose();
    }
    try {
      await writeFileAtomic(out, bytes);
    } catch (err) {
      throw new CliError(`cannot write ${out}: ${(err as Error).message}`);
    }
    log(`wrote ${out}: ${m.name} from ${m.source}, input [${inputShape.join(', ')}], ${m.classNames.length} classes, opset ${opset}, ${num(Math.ceil(bytes.byteLength / 1024))} KiB`);
    if (typeof check === 'number') log(`checked: the file, imported again, gives the model's outputs on a random image within ${check.toExponential(1)} (relative max error)`);
    else log(`not checked: importing the file again failed (${check}); predict --model ${out} will fail the same way, ONNX Runtime may run it`);
  },
};

const dims = (s: readonly (number | null)[] | null): string => (s ? `[${s.map((d) => d ?? '?').join(', ')}]` : '(not declared)');

/** Prints an ONNX graph's nodes (execution order) with their output shapes for `input` (default: the graph's own
 * input, a symbolic batch taken as 1) and the weights each node reads. */
export async function printOnnxSummary(path: string, input?: number[]): Promise<void> {
  const c = 'summary';
  const bytes = readBytes(path);
  const info = onnxInfoOf(path, bytes);
  if (info.inputs.length !== 1) throw new CliError(`${c}: ${path} has ${info.inputs.length} inputs (${info.inputs.map((i) => i.name).join(', ')}); summary runs graphs with one input`);
  const declared = info.inputs[0].shape;
  let shape = input;
  if (!shape) {
    if (!declared || declared.slice(1).some((d) => d === null)) {
      throw new CliError(`${c}: ${path}'s input '${info.inputs[0].name}' has shape ${dims(declared)}; give the shape to run it on with --input N,C,H,W`, 2);
    }
    shape = declared.map((d) => d ?? 1);
  }
  let params: number;
  let buffers: number;
  try {
    const model = await importOnnx(bytes);
    params = model.numParameters();
    buffers = model.namedBuffers().reduce((a, [, t]) => a + t.size, 0);
    model.dispose();
  } catch (err) {
    throw new CliError(`cannot load ${path}: ${onnxMessage(err)}`);
  }
  let shapes: Map<string, number[]>;
  try {
    shapes = await onnxValueShapes(bytes, shape);
  } catch (err) {
    throw new CliError(`${c}: ${path} does not run on an input of shape [${shape.join(', ')}]: ${onnxMessage(err)}`);
  }
  const head = ['Node', 'Op', 'Output shape', 'Params'];
  const rows = info.nodes.map((n) => [n.name, n.opType, n.outputs.filter((o) => o !== '').map((o) => (shapes.has(o) ? `[${shapes.get(o)!.join(', ')}]` : '?')).join(' '), num(n.params)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((s, i) => (i === 3 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  const counts = new Map<string, number>();
  for (const n of info.nodes) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
  const output = info.outputs.map((o) => `'${o.name}' [${(shapes.get(o.name) ?? []).join(', ')}]`).join(', ');
  log(`${path}: ONNX opset ${info.opset ?? '?'}${info.producer ? `, from ${info.producer}` : ''}${Object.keys(info.metadata).length ? `, metadata: ${Object.keys(info.metadata).join(', ')}` : ''}`);
  log(line(head));
  log('-'.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1)));
  for (const r of rows) log(line(r));
  log('-'.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1)));
  log(`Input: '${info.inputs[0].name}' [${shape.join(', ')}]   Output: ${output}`);
  log(`Nodes: ${info.nodes.length} (${[...counts].map(([op, k]) => `${op} ${k}`).join(', ')})`);
  log(`Total params: ${num(params)}${buffers ? ` (+ ${num(buffers)} buffer elements: batch-norm statistics)` : ''}`);
}
