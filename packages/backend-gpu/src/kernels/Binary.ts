/**
 * Broadcasting binary ops from core's BINARY_OPS table over core's collapsed loop (`BroadcastGeometry.loop`): each
 * operand's offset is decomposed from the output index over as few dims as possible, or is the index itself.
 */
import { BINARY_OPS, type BinaryOpName, type BroadcastGeometry } from '@cnn/core';
import { offsets, Src } from '../codegen.js';
import { translateExpr } from '../translate.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function binary(rt: GpuRuntime, op: BinaryOpName, a: GpuData, b: GpuData, geo: BroadcastGeometry, params: readonly number[], size: number): GpuData {
  const def = BINARY_OPS[op];
  if (!def) throw new Error(`gpu backend: binary got unknown op '${op}'; allowed: ${Object.keys(BINARY_OPS).join(', ')}`);
  const s = new Src();
  const [oa, ob] = offsets(s, geo.loop.shape, [geo.loop.aStrides, geo.loop.bStrides]);
  s.add(`let a = as[${oa}];`).add(`let b = bs[${ob}];`);
  return rt.run(s.kernel(['as', 'bs', 'p0', 'p1'], translateExpr(def.expr)), size, [a, b, params[0] ?? 0, params[1] ?? 0]);
}
