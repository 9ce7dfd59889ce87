import { expect, it } from 'vitest';
import { relativeMaxError } from '../src/index.js';
import { trainAndServe } from './export-example.js';

it("README's train here → ONNX Runtime example runs and agrees", async () => {
  const { cnn, ort } = await trainAndServe();
  expect(relativeMaxError(ort, cnn)).toBeLessThanOrEqual(1e-4);
});
