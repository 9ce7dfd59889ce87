import type { Conv2dGeometry } from '@cnn/core';

/** 1×1, stride 1, unpadded: the input planes already are the column matrix, so im2col is skipped. */
export function isPointwise(g: Conv2dGeometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 &&
    g.outH === g.inH && g.outW === g.inW;
}

/** One input channel per group (depthwise and its channel-multiplier variants): GEMMs would be 1-deep per tap, so a
 * direct loop wins. */
export function isDepthwise(g: Conv2dGeometry): boolean {
  return g.inChannelsPerGroup === 1 && g.groups > 1;
}

/** Output positions `o` whose input position `o·stride + offset` lies in [0, size): [lo, hi). */
export function validRange(out: number, stride: number, offset: number, size: number): [number, number] {
  const lo = offset >= 0 ? 0 : Math.ceil(-offset / stride);
  const hi = size - offset <= 0 ? 0 : Math.min(out, Math.ceil((size - offset) / stride));
  return [Math.min(lo, hi), hi];
}

/** 3×3, stride 1, undilated, one group, with enough channels that the transforms are cheap next to the GEMMs:
 * Winograd F(2×2, 3×3) applies (forward and input gradient). */
export function isWinograd3x3(g: Conv2dGeometry): boolean {
  return g.kH === 3 && g.kW === 3 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1 &&
    g.groups === 1 && g.inChannels >= 8 && g.outChannels >= 8 && g.outH >= 2 && g.outW >= 2;
}

/** Winograd's transforms add and subtract inputs (and filter taps) before multiplying, so an infinite value meets its
 * own negation (inf − inf = NaN) where the direct sum gives ±inf, as PyTorch does. Such operands take the direct path. */
export function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - v !== 0) return false; // NaN and ±inf only
  }
  return true;
}

/** Winograd for this conv and these operands: the geometry qualifies and every value is finite. */
export function useWinograd(g: Conv2dGeometry, input: Float32Array, w: Float32Array): boolean {
  return isWinograd3x3(g) && allFinite(input) && allFinite(w);
}
