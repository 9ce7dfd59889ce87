/**
 * conv2d forward, NCHW. Per image and group: out[n, g] (Og × P) = W_g (Og × Kc) · col (Kc × P), Kc = Cg·kH·kW,
 * P = outH·outW. Bias is written first and the GEMM accumulates onto it, so it costs no extra pass.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { gemm, view } from '../gemm.js';
import { im2col } from '../im2col.js';
import { colScratch } from '../scratch.js';
import { isDepthwise, isPointwise, useWinograd, validRange } from '../conv-util.js';
import { winogradConv3x3 } from '../winograd.js';

export function conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, geo: Conv2dGeometry): Float32Array {
  const { batch, inChannels: C, inH, inW, outChannels: O, outH, outW, groups } = geo;
  const P = outH * outW;
  const out = new Float32Array(batch * O * P);
  if (bias) for (let n = 0; n < batch; n++) for (let o = 0; o < O; o++) out.fill(bias[o], (n * O + o) * P, (n * O + o + 1) * P);
  if (isDepthwise(geo)) {
    depthwise(x, w, out, geo);
    return out;
  }
  if (useWinograd(geo, x, w)) {
    winogradConv3x3(x, w, geo, false, out);
    return out;
  }
  const Cg = geo.inChannelsPerGroup;
  const Og = geo.outChannelsPerGroup;
  const Kc = Cg * geo.kH * geo.kW;
  const pointwise = isPointwise(geo);
  const col = pointwise ? x : colScratch(Kc * P);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      let b;
      if (pointwise) b = view(x, (n * C + g * Cg) * inH * inW, P, 1);
      else {
        im2col(x, n * C * inH * inW, geo, g * Cg, Cg, col);
        b = view(col, 0, P, 1);
      }
      gemm(Og, P, Kc, view(w, g * Og * Kc, Kc, 1), b, view(out, (n * O + g * Og) * P, P, 1), true);
    }
  }
  return out;
}

/** One input channel per group: each output plane is a direct sliding-window sum over one input plane. */
function depthwise(x: Float32Array, w: Float32Array, out: Float32Array, geo: Conv2dGeometry): void {
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
            const src = xc + (oh * strideH + hOff) * inW + wOff;
            const dst = oc + oh * outW;
            for (let ow = lo; ow < hi; ow++) out[dst + ow] += wv * x[src + ow * strideW];
          }
        }
      }
    }
  }
}
