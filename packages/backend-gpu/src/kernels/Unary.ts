/** Elementwise unary ops from core's UNARY_OPS table, translated to GLSL with JavaScript's NaN semantics. */
import { UNARY_OPS, type UnaryOpName } from '@cnn/core';
import { translateExpr } from '../translate.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function unary(rt: GpuRuntime, op: UnaryOpName, x: GpuData, params: readonly number[]): GpuData {
  const def = UNARY_OPS[op];
  if (!def) throw new Error(`gpu backend: unary got unknown op '${op}'; allowed: ${Object.keys(UNARY_OPS).join(', ')}`);
  const src = `function(xs, p0, p1) {\nlet x = xs[this.thread.x];\nreturn ${translateExpr(def.expr)};\n}`;
  return rt.run(src, x.size, [x, params[0] ?? 0, params[1] ?? 0]);
}
