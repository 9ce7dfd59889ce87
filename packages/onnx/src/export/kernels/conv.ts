/**
 * conv2d → Conv; fusedConv2d → Conv, Add (residual), activation; conv2dBackwardInput (how core runs a transposed
 * conv) → ConvTranspose. Core's geometry gives the leading padding; the trailing padding is whatever makes ONNX's
 * output-size rule give the kernel's output size.
 */
import type { Conv2dGeometry, ConvEpilogue, TensorInfo } from '@cnn/core';
import type { Attr } from '../graph.js';
import type { Tracer } from '../tracer.js';
import { unaryOnnx } from './elementwise.js';
import type { Mapped } from './index.js';

/** Trailing padding so that floor((in + before + after − span) / s) + 1 = out, never negative. */
function padAfter(inSize: number, k: number, s: number, d: number, before: number, out: number): number {
  const span = d * (k - 1) + 1;
  return Math.max(0, (out - 1) * s + span - inSize - before);
}

function convAttrs(geo: Conv2dGeometry): Record<string, Attr> {
  const bottom = padAfter(geo.inH, geo.kH, geo.strideH, geo.dilationH, geo.padTop, geo.outH);
  const right = padAfter(geo.inW, geo.kW, geo.strideW, geo.dilationW, geo.padLeft, geo.outW);
  return {
    kernel_shape: { ints: [geo.kH, geo.kW] },
    strides: { ints: [geo.strideH, geo.strideW] },
    dilations: { ints: [geo.dilationH, geo.dilationW] },
    pads: { ints: [geo.padTop, geo.padLeft, bottom, right] },
    group: { i: geo.groups },
  };
}

function conv(t: Tracer, x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): string {
  if (geo.padTop < 0 || geo.padLeft < 0) throw new Error(`negative padding ${geo.padTop}, ${geo.padLeft}`);
  const inputs = [t.use(x), t.use(w)];
  if (bias) inputs.push(t.use(bias));
  return t.g.op('Conv', inputs, convAttrs(geo));
}

export function mapConv2d(t: Tracer, x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): Mapped {
  return { name: conv(t, x, w, bias, geo) };
}

export function mapFusedConv2d(t: Tracer, x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, epi: ConvEpilogue, geo: Conv2dGeometry): Mapped {
  let y = conv(t, x, w, bias, geo);
  if (epi.residual) y = t.g.op('Add', [y, t.use(epi.residual)]);
  if (epi.activation) y = unaryOnnx(t.g, epi.activation.op, y, epi.activation.params);
  return { name: y };
}

/** dx of the conv `geo` given dy: a transposed conv of dy with the same weight, strides, dilations and groups. */
export function mapConv2dBackwardInput(t: Tracer, dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): Mapped {
  const after = (inSize: number, k: number, s: number, d: number, before: number, out: number): [number, number] => {
    // ONNX: out = s·(in − 1) + outputPadding + d·(k − 1) + 1 − before − after.
    const extra = s * (inSize - 1) + d * (k - 1) + 1 - before - out;
    return extra >= 0 ? [extra, 0] : [0, -extra];
  };
  if (geo.padTop < 0 || geo.padLeft < 0) throw new Error(`negative padding ${geo.padTop}, ${geo.padLeft}`);
  const [bottom, outPadH] = after(geo.outH, geo.kH, geo.strideH, geo.dilationH, geo.padTop, geo.inH);
  const [right, outPadW] = after(geo.outW, geo.kW, geo.strideW, geo.dilationW, geo.padLeft, geo.inW);
  const attrs: Record<string, Attr> = {
    kernel_shape: { ints: [geo.kH, geo.kW] },
    strides: { ints: [geo.strideH, geo.strideW] },
    dilations: { ints: [geo.dilationH, geo.dilationW] },
    pads: { ints: [geo.padTop, geo.padLeft, bottom, right] },
    group: { i: geo.groups },
  };
  if (outPadH || outPadW) attrs.output_padding = { ints: [outPadH, outPadW] };
  return { name: t.g.op('ConvTranspose', [t.use(dy), t.use(w)], attrs) };
}
