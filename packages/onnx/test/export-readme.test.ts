import { expect, it } from 'vitest';
import { relError } from './export-helpers.js';
import { trainAndServe } from './export-example.js';

it("README's train here → ONNX Runtime example runs and agrees", async () => {
  const { cnn, ort } = await trainAndServe();
  expect(relError(ort, cnn)).toBeLessThanOrEqual(1e-4);
});
