/**
 * im2col / col2im: the layout changes that turn a convolution into a GEMM. For one image and a run of `count` input
 * channels starting at `c0`, the column matrix is `[count·kH·kW, outH·outW]` (row = (c, kh, kw), column = (oh, ow)),
 * which is exactly the B operand of `W_g · col` and the output of `W_gᵀ · dY`.
 *
 * Each (c, kh, kw) row is filled one output row at a time with the in-bounds column range solved in closed form, so
 * the inner loops carry no padding branches.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { validRange } from './conv-util.js';

export function im2col(x: Float32Array, xOff: number, geo: Conv2dGeometry, c0: number, count: number, col: Float32Array): void {
  const { inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = geo;
  const plane = inH * inW;
  const P = outH * outW;
  let row = 0;
  for (let c = 0; c < count; c++) {
    const xc = xOff + (c0 + c) * plane;
    for (let kh = 0; kh < kH; kh++) {
      const hOff = kh * dilationH - padTop;
      for (let kw = 0; kw < kW; kw++) {
        const wOff = kw * dilationW - padLeft;
        const [lo, hi] = validRange(outW, strideW, wOff, inW);
        let o = row * P;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH + hOff;
          if (ih < 0 || ih >= inH) {
            col.fill(0, o, o + outW);
          } else {
            const src = xc + ih * inW + wOff;
            for (let ow = 0; ow < lo; ow++) col[o + ow] = 0;
            if (strideW === 1) col.set(x.subarray(src + lo, src + hi), o + lo);
            else for (let ow = lo; ow < hi; ow++) col[o + ow] = x[src + ow * strideW];
            for (let ow = hi; ow < outW; ow++) col[o + ow] = 0;
          }
          o += outW;
        }
        row++;
      }
    }
  }
}

/** Adjoint of im2col: adds every column-matrix entry back onto the input cell it was read from. `dx` must be zeroed
 * (or hold a partial sum) by the caller. */
export function col2im(col: Float32Array, geo: Conv2dGeometry, c0: number, count: number, dx: Float32Array, dxOff: number): void {
  const { inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = geo;
  const plane = inH * inW;
  const P = outH * outW;
  let row = 0;
  for (let c = 0; c < count; c++) {
    const xc = dxOff + (c0 + c) * plane;
    for (let kh = 0; kh < kH; kh++) {
      const hOff = kh * dilationH - padTop;
      for (let kw = 0; kw < kW; kw++) {
        const wOff = kw * dilationW - padLeft;
        const [lo, hi] = validRange(outW, strideW, wOff, inW);
        let o = row * P;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH + hOff;
          if (ih >= 0 && ih < inH) {
            const dst = xc + ih * inW + wOff;
            for (let ow = lo; ow < hi; ow++) dx[dst + ow * strideW] += col[o + ow];
          }
          o += outW;
        }
        row++;
      }
    }
  }
}
