/** Argument checks shared by the normalisation ops (group, layer, instance). */
import { fail, fmt, shapeStr } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { assertFloat } from './util.js';

/** An optional parameter tensor (weight, bias, running statistic) must be float32 of exactly `shape`. */
export function checkParamShape(op: string, name: string, t: Tensor | null | undefined, shape: readonly number[], inputShape: readonly number[]): void {
  if (t === null || t === undefined) return;
  assertFloat(op, name, t);
  if (t.shape.join() !== shape.join()) {
    fail(op, `${name} must have shape ${shapeStr(shape)} for input shape ${shapeStr(inputShape)}, got ${shapeStr(t.shape)}`);
  }
}

/** `eps` (≥ 0, default 1e-5): a finite number. */
export function checkEps(op: string, eps: unknown): number {
  const v = eps ?? 1e-5;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(op, `eps must be a finite number ≥ 0, got ${fmt(v)}`);
  return v;
}
