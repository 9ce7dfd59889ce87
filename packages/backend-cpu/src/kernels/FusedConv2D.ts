/**
 * conv2d with its epilogue (core's ConvEpilogue): out = act(conv2d(x, w, bias) + residual), in that order, each
 * step rounded to float32 exactly as the separate binary('add') and unary kernels round it.
 */
import type { Conv2dGeometry, UnaryOpName } from '@cnn/core';
import { conv2d } from './Conv2D.js';
import { unaryInto } from './Unary.js';

export interface EpilogueValues {
  residual: Float32Array | null;
  activation: { op: UnaryOpName; params: readonly number[] } | null;
}

export function fusedConv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, epilogue: EpilogueValues, geo: Conv2dGeometry): Float32Array {
  const out = conv2d(x, w, bias, geo);
  convEpilogue(out, epilogue, 0, out.length);
  return out;
}

/** Applies the epilogue in place to out[start, end) (residual read at the same indices). Other backends reuse it
 * on the slices their parts wrote. */
export function convEpilogue(out: Float32Array, epilogue: EpilogueValues, start: number, end: number): void {
  const { residual, activation } = epilogue;
  if (residual) for (let i = start; i < end; i++) out[i] += residual[i];
  if (activation) {
    const slice = out.subarray(start, end);
    unaryInto(activation.op, slice, slice, activation.params);
  }
}
