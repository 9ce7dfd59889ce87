/**
 * ∂L/∂x of conv2d. Per image and group: colGrad (Kc × P) = W_gᵀ (Kc × Og) · dY[n, g] (Og × P), then col2im adds it
 * onto dx. The transpose of W is free: the GEMM reads W through a column-major view while packing. Winograd-eligible
 * 3×3 convs run their input gradient as the forward conv of dy that core's backwardInputAsConv describes.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { backwardInputAsConv } from '@cnn/core/geometry';
import { gemm, view } from '../gemm.js';
import { col2im } from '../im2col.js';
import { isDepthwise, isPointwise, useWinograd, validRange } from '../conv-util.js';
import { winogradConv3x3 } from '../winograd.js';
import { colScratch } from '../scratch.js';

export function conv2dBackwardInput(dy: Float32Array, w: Float32Array, geo: Conv2dGeometry): Float32Array {
  const { batch, inChannels: C, inH, inW, outChannels: O, outH, outW, groups } = geo;
  const P = outH * outW;
  const plane = inH * inW;
  const dx = new Float32Array(batch * C * plane);
  if (isDepthwise(geo)) {
    depthwiseBackwardInput(dy, w, dx, geo);
    return dx;
  }
  const asConv = backwardInputAsConv(geo);
  if (asConv && useWinograd(geo, dy, w)) {
    // dx is a 3×3 stride-1 conv of dy with the kernel rotated and its channel axes swapped.
    winogradConv3x3(dy, w, asConv, true, dx);
    return dx;
  }
  const Cg = geo.inChannelsPerGroup;
  const Og = geo.outChannelsPerGroup;
  const Kc = Cg * geo.kH * geo.kW;
  const pointwise = isPointwise(geo);
  const col = pointwise ? dx : colScratch(Kc * P);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const wT = view(w, g * Og * Kc, 1, Kc);
      const dyg = view(dy, (n * O + g * Og) * P, P, 1);
      if (pointwise) {
        gemm(Kc, P, Og, wT, dyg, view(dx, (n * C + g * Cg) * plane, P, 1), false);
      } else {
        gemm(Kc, P, Og, wT, dyg, view(col, 0, P, 1), false);
        col2im(col, geo, g * Cg, Cg, dx, n * C * plane);
      }
    }
  }
  return dx;
}

/** One input channel per group: scatter each output gradient back along its taps (a direct loop, no GEMM). */
function depthwiseBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, geo: Conv2dGeometry): void {
  const { batch, inChannels: C, inH, inW, outChannels: O, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = geo;
  const Og = geo.outChannelsPerGroup;
  const P = outH * outW;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < O; o++) {
      const xc = (n * C + Math.floor(o / Og)) * inH * inW;
      const oc = (n * O + o) * P;
      for (let kh = 0; kh < kH; kh++) {
        const hOff = kh * dilationH - padTop;
        const [ohLo, ohHi] = validRange(outH, strideH, hOff, inH);
        for (let kw = 0; kw < kW; kw++) {
          const wOff = kw * dilationW - padLeft;
          const [lo, hi] = validRange(outW, strideW, wOff, inW);
          const wv = w[(o * kH + kh) * kW + kw];
          for (let oh = ohLo; oh < ohHi; oh++) {
            const dst = xc + (oh * strideH + hOff) * inW + wOff;
            const src = oc + oh * outW;
            for (let ow = lo; ow < hi; ow++) dx[dst + ow * strideW] += wv * dy[src + ow];
          }
        }
      }
    }
  }
}
