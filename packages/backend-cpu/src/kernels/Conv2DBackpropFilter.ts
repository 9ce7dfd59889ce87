/**
 * ∂L/∂w of conv2d. Per image and group: dW_g (Og × Kc) += dY[n, g] (Og × P) · colᵀ (P × Kc). colᵀ is a transposed
 * view of the im2col matrix, resolved while packing. The batch sum accumulates straight into the float32 result
 * (each GEMM sums its P-long dot products in float64).
 */
import type { Conv2dGeometry } from '@cnn/core';
import { gemm, view } from '../gemm.js';
import { im2col } from '../im2col.js';
import { colScratch, f64Scratch } from '../scratch.js';
import { isDepthwise, isPointwise, validRange } from '../conv-util.js';

export function conv2dBackwardFilter(x: Float32Array, dy: Float32Array, geo: Conv2dGeometry): Float32Array {
  const { batch, inChannels: C, inH, inW, outChannels: O, kH, kW, outH, outW, groups } = geo;
  const P = outH * outW;
  const Cg = geo.inChannelsPerGroup;
  const Og = geo.outChannelsPerGroup;
  const Kc = Cg * kH * kW;
  const dw = new Float32Array(O * Kc);
  if (isDepthwise(geo)) {
    depthwiseBackwardFilter(x, dy, dw, geo);
    return dw;
  }
  const pointwise = isPointwise(geo);
  const col = pointwise ? x : colScratch(Kc * P);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      let colT;
      if (pointwise) colT = view(x, (n * C + g * Cg) * inH * inW, 1, P);
      else {
        im2col(x, n * C * inH * inW, geo, g * Cg, Cg, col);
        colT = view(col, 0, 1, P);
      }
      gemm(Og, Kc, P, view(dy, (n * O + g * Og) * P, P, 1), colT, view(dw, g * Og * Kc, Kc, 1), n > 0);
    }
  }
  return dw;
}

/** One input channel per group: each tap's gradient is a dot product of an output-gradient plane with a shifted
 * input plane, summed over the batch in float64. */
function depthwiseBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geo: Conv2dGeometry): void {
  const { batch, inChannels: C, inH, inW, outChannels: O, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = geo;
  const Og = geo.outChannelsPerGroup;
  const P = outH * outW;
  const acc = f64Scratch(kH * kW);
  for (let o = 0; o < O; o++) {
    acc.fill(0, 0, kH * kW);
    for (let n = 0; n < batch; n++) {
      const xc = (n * C + Math.floor(o / Og)) * inH * inW;
      const oc = (n * O + o) * P;
      for (let kh = 0; kh < kH; kh++) {
        const hOff = kh * dilationH - padTop;
        const [ohLo, ohHi] = validRange(outH, strideH, hOff, inH);
        for (let kw = 0; kw < kW; kw++) {
          const wOff = kw * dilationW - padLeft;
          const [lo, hi] = validRange(outW, strideW, wOff, inW);
          let s = 0;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const src = xc + (oh * strideH + hOff) * inW + wOff;
            const d = oc + oh * outW;
            for (let ow = lo; ow < hi; ow++) s += dy[d + ow] * x[src + ow * strideW];
          }
          acc[kh * kW + kw] += s;
        }
      }
    }
    for (let t = 0; t < kH * kW; t++) dw[o * kH * kW + t] = acc[t];
  }
}
