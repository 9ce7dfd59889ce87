/**
 * Convolutions on the WebAssembly SIMD kernels, one part (images [n0, n1) × channels [o0, o1)) at a time. Operands
 * are copied into the worker's wasm memory one image at a time (one `set` each way), so the hot loops never touch
 * the shared tensors.
 * - 3×3 stride-1 convs (backend-cpu's isWinograd3x3): Winograd F(2×2, 3×3) — input transform, 16 GEMMs of
 *   (channels × channels) · (channels × tiles), output transform — all SIMD. The input gradient of such a conv is the
 *   same computation on dy with the kernel rotated and its channel axes swapped (core's backwardInputAsConv); the
 *   filter transform is backend-cpu's winogradFilterTile.
 * - Others: im2col + GEMM (forward), GEMM + col2im (input gradient), im2col + GEMM against colᵀ (weight gradient).
 */
import type { Conv2dGeometry } from '@cnn/core';
import { backwardInputAsConv } from '@cnn/core/geometry';
import { useWinograd, winogradFilterTile } from '../cpu-kernels.js';
import type { SimdKernels } from './loader.js';

export interface ConvRange {
  n0: number;
  n1: number;
  o0: number;
  o1: number;
}

/** Tiles per Winograd chunk: V and M of a chunk stay in L2. */
const WINO_TILES = 192;

interface WinoProblem {
  /** The forward conv Winograd runs: w's own conv, or core's backwardInputAsConv of it (`flipped`). */
  conv: Conv2dGeometry;
  flipped: boolean;
  /** The conv's input [N][C][H][W] (x, or dy when flipped) and output (out, or dx); this part writes images
   * [n0, n1) × output channels [o0, o0 + Op). */
  x: Float32Array;
  w: Float32Array;
  out: Float32Array;
  n0: number;
  n1: number;
  o0: number;
  Op: number;
  bias: Float32Array | null;
}

function winograd(s: SimdKernels, p: WinoProblem): void {
  const { conv, Op } = p;
  const { inChannels: C, inH: H, inW: W, padTop, padLeft, outChannels: Otot, outH, outW } = conv;
  const tilesH = Math.ceil(outH / 2);
  const tilesW = Math.ceil(outW / 2);
  const tilesWp = Math.ceil(tilesW / 4) * 4;
  const Hp = 2 * tilesH + 2;
  const Wp = 2 * tilesWp + 4;
  const Opad = Math.ceil(Op / 4) * 4;
  const rowsPerChunk = Math.max(1, Math.min(tilesH, Math.floor(WINO_TILES / tilesWp)));
  const TpadMax = Math.ceil((rowsPerChunk * tilesWp) / 8) * 8;
  const obH = 2 * tilesH;
  const obW = 2 * tilesWp;
  s.reset();
  const pU = s.alloc(16 * Opad * C);
  const pRaw = s.alloc(C * H * W);
  const pXp = s.alloc(C * Hp * Wp);
  const pV = s.alloc(16 * C * TpadMax);
  const pM = s.alloc(16 * Opad * TpadMax);
  const pOb = s.alloc(Op * obH * obW);
  const pOut = s.alloc(Op * outH * outW);
  const pBias = s.alloc(Op);
  const mem = s.commit();
  const k = s.k;

  // Filter transform (backend-cpu's winogradFilterTile), packed as GEMM A slivers: U[ξ][o / 4][c][o % 4].
  const U = mem.subarray(pU / 4, pU / 4 + 16 * Opad * C);
  U.fill(0);
  const u = new Float64Array(16);
  const OC = Opad * C;
  for (let j = 0; j < Op; j++) {
    for (let c = 0; c < C; c++) {
      winogradFilterTile(p.w, conv, p.o0 + j, c, p.flipped, u);
      const base = ((j >> 2) * C + c) * 4 + (j & 3);
      for (let xi = 0; xi < 16; xi++) U[xi * OC + base] = u[xi];
    }
  }
  if (p.bias) mem.set(p.bias.subarray(p.o0, p.o0 + Op), pBias / 4);
  mem.fill(0, pXp / 4, pXp / 4 + C * Hp * Wp);

  // The part of the input that lands inside the padded tile grid.
  const h0 = Math.max(0, -padTop);
  const h1 = Math.min(H, Hp - padTop);
  const w0 = Math.max(0, -padLeft);
  const w1 = Math.min(W, Wp - padLeft);
  const plane = C * H * W;
  const outPlane = outH * outW;
  for (let n = p.n0; n < p.n1; n++) {
    mem.set(p.x.subarray(n * plane, (n + 1) * plane), pRaw / 4);
    if (h1 > h0 && w1 > w0) {
      k.copy2d(pRaw + (h0 * W + w0) * 4, H * W, W, pXp + ((h0 + padTop) * Wp + w0 + padLeft) * 4, Hp * Wp, Wp, C, h1 - h0, w1 - w0);
    }
    for (let th0 = 0; th0 < tilesH; th0 += rowsPerChunk) {
      const nRows = Math.min(rowsPerChunk, tilesH - th0);
      const Tpad = Math.ceil((nRows * tilesWp) / 8) * 8;
      k.winoInput(pXp, C, Hp, Wp, th0, nRows, tilesWp, pV, Tpad);
      k.winoGemm(pU, Opad, C, pV, Tpad, pM);
      k.winoOutput(pM, Opad, Tpad, Op, nRows, tilesWp, pOb + 2 * th0 * obW * 4, obH * obW, p.bias ? pBias : 0);
    }
    k.copy2d(pOb, obH * obW, obW, pOut, outPlane, outW, Op, outH, outW);
    p.out.set(mem.subarray(pOut / 4, pOut / 4 + Op * outPlane), (n * Otot + p.o0) * outPlane);
  }
}

export function convForwardSimd(
  s: SimdKernels, x: Float32Array, w: Float32Array, bias: Float32Array | null, geo: Conv2dGeometry, part: ConvRange, out: Float32Array,
): void {
  const { inChannels: C, inH, inW, outChannels: O, outH, outW } = geo;
  if (useWinograd(geo, x, w)) {
    winograd(s, { conv: geo, flipped: false, x, w, out, n0: part.n0, n1: part.n1, o0: part.o0, Op: part.o1 - part.o0, bias });
    return;
  }
  // im2col + GEMM per image and group, over the part's output channels.
  const { groups, kH, kW } = geo;
  const Cg = geo.inChannelsPerGroup;
  const Og = geo.outChannelsPerGroup;
  const Kc = Cg * kH * kW;
  const P = outH * outW;
  const Op = part.o1 - part.o0;
  const plane = C * inH * inW;
  s.reset();
  const pW = s.alloc(Op * Kc);
  const pX = s.alloc(plane);
  const pCol = s.alloc(Kc * P);
  const pOut = s.alloc(Op * P);
  const pScratch = s.allocBytes(s.k.gemmScratchBytes(Og, P, Kc));
  const mem = s.commit();
  const k = s.k;
  mem.set(w.subarray(part.o0 * Kc, part.o1 * Kc), pW / 4);
  for (let n = part.n0; n < part.n1; n++) {
    mem.set(x.subarray(n * plane, (n + 1) * plane), pX / 4);
    for (let o = 0; o < Op; o++) mem.fill(bias ? bias[part.o0 + o] : 0, pOut / 4 + o * P, pOut / 4 + (o + 1) * P);
    for (let g = 0; g < groups; g++) {
      const lo = Math.max(part.o0, g * Og);
      const hi = Math.min(part.o1, (g + 1) * Og);
      if (hi <= lo) continue;
      k.im2col(pX, inH, inW, g * Cg, Cg, kH, kW, geo.strideH, geo.strideW, geo.dilationH, geo.dilationW, geo.padTop, geo.padLeft, outH, outW, pCol);
      k.gemm(hi - lo, P, Kc, pW + (lo - part.o0) * Kc * 4, Kc, 1, pCol, P, 1, pOut + (lo - part.o0) * P * 4, P, 1, pScratch);
    }
    out.set(mem.subarray(pOut / 4, pOut / 4 + Op * P), (n * O + part.o0) * P);
  }
}

/** Part channels [o0, o1) are input channels here. */
export function convBackwardInputSimd(
  s: SimdKernels, dy: Float32Array, w: Float32Array, geo: Conv2dGeometry, part: ConvRange, out: Float32Array,
): void {
  const { inChannels: C, inH, inW, outChannels: O, outH, outW } = geo;
  const asConv = backwardInputAsConv(geo);
  if (asConv && useWinograd(geo, dy, w)) {
    // dx = the forward conv of dy with w rotated 180° and its channel axes swapped.
    winograd(s, { conv: asConv, flipped: true, x: dy, w, out, n0: part.n0, n1: part.n1, o0: part.o0, Op: part.o1 - part.o0, bias: null });
    return;
  }
  const { groups, kH, kW } = geo;
  const Cg = geo.inChannelsPerGroup;
  const Og = geo.outChannelsPerGroup;
  const K = kH * kW;
  const Kc = Cg * K;
  const P = outH * outW;
  const plane = inH * inW;
  const Cp = part.o1 - part.o0;
  s.reset();
  const pW = s.alloc(O * Kc);
  const pDy = s.alloc(O * P);
  const pCol = s.alloc(Kc * P);
  const pDx = s.alloc(Cp * plane);
  const pScratch = s.allocBytes(s.k.gemmScratchBytes(Kc, P, Og));
  const mem = s.commit();
  const k = s.k;
  mem.set(w, pW / 4);
  for (let n = part.n0; n < part.n1; n++) {
    mem.set(dy.subarray(n * O * P, (n + 1) * O * P), pDy / 4);
    mem.fill(0, pDx / 4, pDx / 4 + Cp * plane);
    for (let g = 0; g < groups; g++) {
      // Input channels of this group inside the part.
      const lo = Math.max(part.o0, g * Cg);
      const hi = Math.min(part.o1, (g + 1) * Cg);
      if (hi <= lo) continue;
      const rows = (hi - lo) * K;
      // colGrad (rows × P) = W_gᵀ[rows] · dy_g; W_g is [Og][Kc], so Wᵀ(j, o) = W[o·Kc + j].
      k.gemm(rows, P, Og, pW + (g * Og * Kc + (lo - g * Cg) * K) * 4, 1, Kc, pDy + g * Og * P * 4, P, 1, pCol, P, 0, pScratch);
      k.col2im(pCol, inH, inW, lo - part.o0, hi - lo, kH, kW, geo.strideH, geo.strideW, geo.dilationH, geo.dilationW, geo.padTop, geo.padLeft, outH, outW, pDx);
    }
    out.set(mem.subarray(pDx / 4, pDx / 4 + Cp * plane), (n * C + part.o0) * plane);
  }
}

/** One group; the part owns input channels [c0, c1), i.e. columns c0·kH·kW … c1·kH·kW of dW, and sums every image. */
export function convBackwardFilterSimd(
  s: SimdKernels, x: Float32Array, dy: Float32Array, geo: Conv2dGeometry, part: { c0: number; c1: number }, out: Float32Array,
): void {
  const { batch, inChannels: C, inH, inW, outChannels: O, outH, outW, kH, kW } = geo;
  const K = kH * kW;
  const Kc = C * K;
  const P = outH * outW;
  const plane = C * inH * inW;
  const count = part.c1 - part.c0;
  const J = count * K;
  const ldw = Math.ceil(J / 8) * 8;
  const Opad = Math.ceil(O / 4) * 4;
  s.reset();
  const pX = s.alloc(plane);
  const pDy = s.alloc(O * P);
  const pDw = s.alloc(Opad * ldw);
  const pScratch = s.alloc((Opad + 8) * P);
  const mem = s.commit();
  mem.fill(0, pDw / 4, pDw / 4 + Opad * ldw);
  for (let n = 0; n < batch; n++) {
    mem.set(x.subarray(n * plane, (n + 1) * plane), pX / 4);
    mem.set(dy.subarray(n * O * P, (n + 1) * O * P), pDy / 4);
    s.k.convWeightGrad(pX, inH, inW, part.c0, count, kH, kW, geo.strideH, geo.strideW, geo.dilationH, geo.dilationW, geo.padTop, geo.padLeft, outH, outW, pDy, O, pDw, ldw, pScratch);
  }
  for (let o = 0; o < O; o++) out.set(mem.subarray(pDw / 4 + o * ldw, pDw / 4 + o * ldw + J), o * Kc + part.c0 * K);
}
