/**
 * conv2d with its epilogue (core's ConvEpilogue): out = act(conv2d(x, w, bias) + residual). The conv runs as
 * conv2d does; the residual add and the activation share one pass (float32 add, then the op's translated `expr`,
 * as the separate binary and unary kernels compute them).
 */
import { UNARY_OPS, type Conv2dGeometry, type UnaryOpName } from '@cnn/core';
import { translateExpr } from '../translate.js';
import type { GpuData, GpuRuntime, KernelArg } from '../runtime.js';
import { conv2d } from './Conv2D.js';

export interface GpuEpilogue {
  residual: GpuData | null;
  activation: { op: UnaryOpName; params: readonly number[] } | null;
}

export function fusedConv2d(rt: GpuRuntime, x: GpuData, w: GpuData, bias: GpuData | null, epilogue: GpuEpilogue, g: Conv2dGeometry, size: number): GpuData {
  const y = conv2d(rt, x, w, bias, g, size);
  const { residual, activation } = epilogue;
  if (!residual && !activation) return y;
  return rt.using([y], () => {
    const def = activation ? UNARY_OPS[activation.op] : null;
    const sum = residual ? 'ys[this.thread.x] + rs[this.thread.x]' : 'ys[this.thread.x]';
    const body = def ? `let x = ${sum};\nreturn ${translateExpr(def.expr)};` : `return ${sum};`;
    const names = residual ? 'ys, rs, p0, p1' : 'ys, p0, p1';
    const p = activation?.params ?? [];
    const args: KernelArg[] = [y, ...(residual ? [residual] : []), p[0] ?? 0, p[1] ?? 0];
    return rt.run(`function(${names}) {\n${body}\n}`, size, args);
  });
}
