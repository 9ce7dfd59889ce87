/** Thrown by an engine that could run a workload but not here and now (ort-web without its ONNX file): run.ts turns
 * it into a `skipped` row with this message as the reason, not a failure. */
export class SkipRow extends Error {
  override name = 'SkipRow';
}
