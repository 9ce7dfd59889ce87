/**
 * A torchvision ResNet-18 state dict loaded into `models.resnet18`, exported with `exportOnnx` and run in ONNX Runtime
 * gives PyTorch's logits (max error ≤ 1e-4 of the largest logit); so does cnn's own forward. Fixtures from
 * scripts/make_resnet18_state_dict.py (Debian's torch 1.13 / torchvision 0.14):
 *  - test/fixtures/resnet18_pseudo.json (committed, always runs): the full torchvision resnet18 (1000 classes) under
 *    pseudo-weights that both sides compute from each state-dict name (no weight file; a renamed tensor gets other
 *    weights), input 1×3×64×64.
 *  - fixtures-large/resnet18_torchvision.{safetensors,json} (gitignored, 47 MB; `--large`): torchvision's own random
 *    init with non-trivial batch-norm statistics, read from safetensors, input 1×3×224×224. Skipped when absent.
 */
import '@cnn/backend-cpu';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { noGrad, setBackend, tensor, type nn } from '@cnn/core';
import { models, toStateDict } from '@cnn/models';
import { loadSafetensors } from '@cnn/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelProtoSchema } from '../src/generated/onnx.proto3_pb.js';
import { exportOnnx, relativeMaxError } from '../src/index.js';
import { runOrt } from './export-helpers.js';
import { FIXTURES, LARGE_FIXTURES } from './fixtures.js';
import { applyPseudoWeights } from './pseudo-weights.js';

interface Stored {
  shape: number[];
  data: Float32Array;
}

/** { input, outputs: { logits }, stateDictNames } as written by the script: float32 little-endian, base64. */
function readCase(path: string): { input: Stored; logits: Stored; names: string[] } {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    input: { shape: number[]; base64: string }; outputs: { logits: { shape: number[]; base64: string } }; stateDictNames: string[];
  };
  const decode = (t: { shape: number[]; base64: string }): Stored => {
    const buf = Buffer.from(t.base64, 'base64');
    return { shape: t.shape, data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) };
  };
  return { input: decode(raw.input), logits: decode(raw.outputs.logits), names: raw.stateDictNames };
}

/** Eval forward in cnn, export, ONNX Runtime: both against PyTorch's logits, and the file's initializers named as torchvision's state dict. */
async function check(label: string, model: nn.Module, c: { input: Stored; logits: Stored; names: string[] }, opset: number): Promise<void> {
  model.eval();
  expect(Object.keys(model.stateDict())).toEqual(c.names); // torchvision's names, in torchvision's order
  const x = tensor(c.input.data, c.input.shape);
  const y = noGrad(() => model.forward(x));
  const ours = Float32Array.from(await y.data());
  expect(y.shape).toEqual(c.logits.shape);
  y.dispose();
  x.dispose();
  const bytes = await exportOnnx(model, { inputShape: c.input.shape, opset });
  const inits = new Map(fromBinary(ModelProtoSchema, bytes).graph!.initializer.map((t) => [t.name, t.dims.map(Number)]));
  const sd = model.stateDict();
  for (const name of c.names) expect(inits.get(name), name).toEqual(sd[name].shape);
  const ort = await runOrt(bytes, c.input.data, c.input.shape);
  expect(ort.dims).toEqual(c.logits.shape);
  const ortVsTorch = relativeMaxError(ort.data, c.logits.data);
  const cnnVsTorch = relativeMaxError(ours, c.logits.data);
  const ortVsCnn = relativeMaxError(ort.data, ours);
  console.log(
    `${label} (opset ${opset}, ${(bytes.byteLength / 1e6).toFixed(1)} MB): max error of the largest logit — ONNX Runtime vs PyTorch ` +
      `${ortVsTorch.toExponential(2)}, cnn vs PyTorch ${cnnVsTorch.toExponential(2)}, ONNX Runtime vs cnn ${ortVsCnn.toExponential(2)}`,
  );
  expect(ortVsTorch).toBeLessThanOrEqual(1e-4);
  expect(cnnVsTorch).toBeLessThanOrEqual(1e-4);
  expect(ortVsCnn).toBeLessThanOrEqual(1e-4);
}

const LARGE_JSON = join(LARGE_FIXTURES, 'resnet18_torchvision.json');
const LARGE_WEIGHTS = join(LARGE_FIXTURES, 'resnet18_torchvision.safetensors');
const HAS_LARGE = existsSync(LARGE_JSON) && existsSync(LARGE_WEIGHTS);
if (!HAS_LARGE) {
  console.warn(
    'export-torchvision-resnet18: fixtures-large/resnet18_torchvision.* absent, the random-init state-dict case is skipped; ' +
      'write it with `/usr/bin/python3 packages/onnx/scripts/make_resnet18_state_dict.py --large`',
  );
}

describe('torchvision ResNet-18 state dict → models.resnet18 → exportOnnx → ONNX Runtime = PyTorch', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  it('pseudo-weights by name (committed fixture; 1000 classes, 1×3×64×64)', async () => {
    const c = readCase(join(FIXTURES, 'resnet18_pseudo.json'));
    const model = models.resnet18();
    applyPseudoWeights(model);
    await check('resnet18 pseudo-weights', model, c, 13);
    model.dispose();
  });

  const largeTitle = 'random-init state dict from safetensors (fixtures-large/; 1000 classes, 1×3×224×224)';
  it.skipIf(!HAS_LARGE)(HAS_LARGE ? largeTitle : `${largeTitle}: ABSENT, run make_resnet18_state_dict.py --large`, async () => {
    const c = readCase(LARGE_JSON);
    const entries = await loadSafetensors(LARGE_WEIGHTS);
    const model = models.resnet18();
    const { missingKeys, unexpectedKeys } = model.loadStateDict(toStateDict(entries)); // strict: throws on any mismatch
    expect([missingKeys, unexpectedKeys]).toEqual([[], []]);
    expect(Object.keys(entries).sort()).toEqual([...c.names].sort());
    await check('resnet18 torchvision state dict', model, c, 13);
    model.dispose();
  });
});
