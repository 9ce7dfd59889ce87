/** Shared by the export tests: ONNX Runtime as the oracle, cnn's own eval forward as the answer to match. */
import { noGrad, randn, tensor, type nn, type Tensor } from '@cnn/core';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { exportOnnx, relativeMaxError } from '../src/index.js';

/** Batch-norm statistics away from 0 / 1, so that exporting them wrongly shows. */
export function randomizeStats(model: nn.Module): void {
  noGrad(() => {
    for (const [name, t] of Object.entries(model.stateDict())) {
      if (name.endsWith('running_mean')) t.assign(randn([...t.shape]).mul(0.1));
      if (name.endsWith('running_var')) t.assign(randn([...t.shape]).abs().add(0.5));
    }
  });
}

export async function runOrt(bytes: Uint8Array, input: Float32Array, shape: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [...shape]) });
    const y = out.output;
    return { data: Float32Array.from(y.data as Float32Array), dims: y.dims };
  } finally {
    await session.release();
  }
}

export interface Compared {
  bytes: Uint8Array;
  error: number;
  shape: readonly number[];
}

/** Exports `model`, runs the file in ONNX Runtime and compares with cnn's eval forward on the same random input. */
export async function compareWithOrt(model: nn.Module, inputShape: readonly number[], opset = 13, input?: Tensor): Promise<Compared> {
  model.eval();
  const x = input ?? randn([...inputShape]);
  const want = noGrad(() => model.forward(x));
  const expected = Float32Array.from(await want.data());
  const bytes = await exportOnnx(model, { inputShape, opset });
  const got = await runOrt(bytes, Float32Array.from(await x.data()), inputShape);
  const shape = want.shape;
  expect(got.dims).toEqual(shape);
  want.dispose();
  if (!input) x.dispose();
  return { bytes, error: relativeMaxError(got.data, expected), shape };
}

export { tensor };
