/**
 * The epilogue of a fused conv (contract.ts, `Backend.fusedConv2d`): `out = act(conv + bias + residual)`, applied by
 * the conv part that wrote a region, over that region only, right after it is written (the bias is already in).
 * Float32 in exactly that order: `out[i] + residual[i]` is rounded to float32 (stored) before the activation, as the
 * unfused binary('add') then unary would.
 *
 * The activation arrives as core's UNARY_OPS `expr` (sent by the calling thread, so the worker bundle needs none of
 * core's op tables) and runs through the elementwise kernel's compiled loop (./Elementwise.ts); relu and
 * clamp, the activations of CNNs, have hand-written loops with the same JavaScript semantics (relu(NaN) = NaN,
 * relu(-0) = -0, clamp(NaN) = NaN through Math.max / Math.min).
 */

import { erf } from '@cnn/core/geometry';
import { elementwiseLoop } from './Elementwise.js';

/** The activation of a fused conv, as plain data: core's unary op name, its params and its `expr`. */
export interface EpilogueActivation {
  op: string;
  params: readonly number[];
  /** UNARY_OPS[op].expr: a JavaScript expression of x, p0, p1 (and Math). */
  expr: string;
}

function activate(out: Float32Array, lo: number, hi: number, act: EpilogueActivation): void {
  const p0 = act.params[0] ?? 0;
  const p1 = act.params[1] ?? 0;
  if (act.op === 'relu') {
    for (let i = lo; i < hi; i++) if (out[i] < 0) out[i] = 0;
  } else if (act.op === 'clamp') {
    for (let i = lo; i < hi; i++) out[i] = Math.min(Math.max(out[i], p0), p1);
  } else {
    elementwiseLoop(act.expr, 1)(out, null, out, lo, hi, p0, p1, erf);
  }
}

/**
 * Applies the epilogue to images [n0, n1) × channels [o0, o1) of `out` ([batch][O][P]); a no-op without residual
 * and activation.
 */
export function applyConvEpilogue(
  out: Float32Array, residual: Float32Array | null | undefined, act: EpilogueActivation | null | undefined,
  n0: number, n1: number, o0: number, o1: number, O: number, P: number,
): void {
  if (!residual && !act) return;
  for (let n = n0; n < n1; n++) {
    const lo = (n * O + o0) * P;
    const hi = (n * O + o1) * P;
    if (residual) for (let i = lo; i < hi; i++) out[i] += residual[i];
    if (act) activate(out, lo, hi, act);
  }
}
