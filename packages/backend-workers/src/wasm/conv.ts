/**
 * Convolutions on the WebAssembly SIMD kernels, one part (images [n0, n1) × channels [o0, o1), or a band of output
 * rows) at a time. Operands are copied into the worker's wasm memory one image at a time (one `set` each way), so the
 * hot loops never touch the shared tensors.
 * - 3×3 stride-1 convs (backend-cpu's isWinograd3x3): Winograd F(2×2, 3×3) — filter transform (winoFilter, SIMD,
 *   the transform of backend-cpu's winogradFilterTile in float32), input transform, 16 GEMMs of
 *   (channels × channels) · (channels × tiles), output transform. The input gradient of such a conv is the same
 *   computation on dy with the kernel rotated and its channel axes swapped (core's backwardInputAsConv). Operands
 *   holding ±inf or NaN are found in wasm (allFinite) and their images take the direct path, as backend-cpu's
 *   useWinograd rule says.
 * - Other forward convs: convGemm, the im2col GEMM with col's panels gathered straight from x (1×1 stride-1 convs as
 *   one GEMM over flat positions). Input gradient: GEMM + col2im; weight gradient: convWeightGradRows, x read in place
 *   from a zero-padded copy against dy transposed into panels.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { backwardInputAsConv } from '@cnn/core/geometry';
import { isPointwise, isWinograd3x3 } from '../cpu-kernels.js';
import type { SimdKernels } from './loader.js';

export interface ConvRange {
  n0: number;
  n1: number;
  o0: number;
  o1: number;
  /** Output rows [h0, h1) when the part is a band of rows (batch 1, forward, im2col path); else all rows. */
  h0?: number;
  h1?: number;
}

/**
 * Winograd F(2×2, 3×3) rather than convGemm, for every conv backend-cpu's isWinograd3x3 admits: measured on ResNet-18's
 * 3×3 convs (7×7 to 56×56, 64 to 512 channels, one part of two threads) it beats convGemm everywhere once its filter
 * transform runs in SIMD, by 1.6× at 7×7 and up to 2× at 56×56. One rule for forward and input gradient.
 */
export function preferWinograd(geo: Conv2dGeometry): boolean {
  return isWinograd3x3(geo);
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

/**
 * Runs the part's images through Winograd; returns the images it left to the direct path because they (or, then
 * all of them, the part's kernels) hold ±inf or NaN (backend-cpu's useWinograd rule, checked in wasm per image).
 */
function winograd(s: SimdKernels, p: WinoProblem): number[] {
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
  // 16 planes each, 16 floats apart (kernels.ts, xiPlane).
  const pU = s.alloc(16 * (Opad * C + 16));
  const pW = s.alloc(p.flipped ? p.w.length : Op * C * 9);
  const pRaw = s.alloc(C * H * W);
  const pXp = s.alloc(C * Hp * Wp);
  const pV = s.alloc(16 * (C * TpadMax + 16));
  const pM = s.alloc(16 * (Opad * TpadMax + 16));
  const pOb = s.alloc(Op * obH * obW);
  const pOut = s.alloc(Op * outH * outW);
  const pBias = s.alloc(Op);
  const mem = s.commit();
  const k = s.k;

  // Filter transform (backend-cpu's winogradFilterTile, in SIMD), packed as GEMM A slivers: U[ξ][o / 4][c][o % 4].
  // Forward: the part's rows w[o0 + j][c]; input gradient: w[c][o0 + j] rotated, so all of w is copied.
  const wLen = p.flipped ? p.w.length : Op * C * 9;
  mem.set(p.flipped ? p.w : p.w.subarray(p.o0 * C * 9, (p.o0 + Op) * C * 9), pW / 4);
  const direct: number[] = [];
  if (!k.allFinite(pW, wLen)) {
    for (let n = p.n0; n < p.n1; n++) direct.push(n);
    return direct;
  }
  // Taps of (o, c): w + (o·so + c·sc + first + k·step)·4 (see winoFilter).
  const [pw, so, sc, first, step] = p.flipped ? [pW + p.o0 * 9 * 4, 9, 9 * Otot, 8, -1] : [pW, 9 * C, 9, 0, 1];
  k.winoFilter(pw, so, sc, first, step, Op, C, pU, Opad);
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
    if (!k.allFinite(pRaw, plane)) {
      direct.push(n);
      continue;
    }
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
  return direct;
}

export function convForwardSimd(
  s: SimdKernels, x: Float32Array, w: Float32Array, bias: Float32Array | null, geo: Conv2dGeometry, part: ConvRange, out: Float32Array,
): void {
  if (part.h0 === undefined && preferWinograd(geo)) {
    const direct = winograd(s, { conv: geo, flipped: false, x, w, out, n0: part.n0, n1: part.n1, o0: part.o0, Op: part.o1 - part.o0, bias });
    for (const n of direct) convGemmForward(s, x, w, bias, geo, { ...part, n0: n, n1: n + 1 }, out);
    return;
  }
  convGemmForward(s, x, w, bias, geo, part, out);
}

/**
 * Every other forward conv: convGemm (the im2col GEMM, gathering col's panels straight from x) over the part's
 * images × output channels × output rows [h0, h1). Only the input rows those output rows read are copied in, so
 * row parts of one image split the gather as well as the GEMM.
 */
function convGemmForward(
  s: SimdKernels, x: Float32Array, w: Float32Array, bias: Float32Array | null, geo: Conv2dGeometry, part: ConvRange, out: Float32Array,
): void {
  const { inChannels: C, inH: H, inW: W, outChannels: O, outH, outW, groups, kH, kW, strideH: sH, dilationH: dH } = geo;
  const Cg = geo.inChannelsPerGroup;
  const Og = geo.outChannelsPerGroup;
  const Kc = Cg * kH * kW;
  const h0 = part.h0 ?? 0;
  const h1 = part.h1 ?? outH;
  const rows = h1 - h0;
  const Pp = rows * outW;
  const ldo = Math.ceil(Pp / 8) * 8;
  // Input rows [r0, r1) feed output rows [h0, h1); rows outside the image are padding.
  const r0 = Math.max(0, h0 * sH - geo.padTop);
  const r1 = Math.max(r0, Math.min(H, (h1 - 1) * sH - geo.padTop + (kH - 1) * dH + 1));
  const Hl = r1 - r0;
  const padTop = geo.padTop - h0 * sH + r0;
  // 1×1 stride-1 unpadded: the part's positions are contiguous in every channel; run them as one row.
  const flat = isPointwise(geo);
  const gH = flat ? 1 : Hl;
  const gW = flat ? Hl * W : W;
  const gOutW = flat ? Pp : outW;
  const gRows = flat ? 1 : rows;
  // Per group: the part's output channels [lo, hi) of it, and where their rows start in the output block.
  const spans: Array<{ g: number; lo: number; hi: number; row: number }> = [];
  let outRows = 0;
  for (let g = 0; g < groups; g++) {
    const lo = Math.max(part.o0, g * Og);
    const hi = Math.min(part.o1, (g + 1) * Og);
    if (hi <= lo) continue;
    spans.push({ g, lo, hi, row: outRows });
    outRows += Math.ceil((hi - lo) / 4) * 4;
  }
  const Op = part.o1 - part.o0;
  s.reset();
  const pW = s.alloc(Op * Kc);
  const pX = s.alloc(C * Hl * W + 4); // + 4: the stride-2 gather reads one float past the last row
  const pOut = s.alloc(outRows * ldo);
  const pScratch = s.allocBytes(s.k.convGemmScratchBytes(Math.min(Op, Og), Kc, Pp));
  const mem = s.commit();
  const k = s.k;
  mem.set(w.subarray(part.o0 * Kc, part.o1 * Kc), pW / 4);
  const plane = C * H * W;
  const outPlane = outH * outW;
  for (let n = part.n0; n < part.n1; n++) {
    if (Hl === H) mem.set(x.subarray(n * plane, (n + 1) * plane), pX / 4);
    else {
      for (let c = 0; c < C; c++) {
        const src = n * plane + (c * H + r0) * W;
        mem.set(x.subarray(src, src + Hl * W), pX / 4 + c * Hl * W);
      }
    }
    for (const sp of spans) {
      for (let o = sp.lo; o < sp.hi; o++) {
        const at = pOut / 4 + (sp.row + o - sp.lo) * ldo;
        mem.fill(bias ? bias[o] : 0, at, at + Pp);
      }
      k.convGemm(
        pX + sp.g * Cg * Hl * W * 4, gH, gW, Cg, kH, kW, sH, geo.strideW, dH, geo.dilationW, flat ? 0 : padTop, geo.padLeft,
        gRows, gOutW, pW + (sp.lo - part.o0) * Kc * 4, sp.hi - sp.lo, pOut + sp.row * ldo * 4, ldo, pScratch,
      );
      for (let o = sp.lo; o < sp.hi; o++) {
        const at = pOut / 4 + (sp.row + o - sp.lo) * ldo;
        out.set(mem.subarray(at, at + Pp), (n * O + o) * outPlane + h0 * outW);
      }
    }
  }
}

/** Part channels [o0, o1) are input channels here. */
export function convBackwardInputSimd(
  s: SimdKernels, dy: Float32Array, w: Float32Array, geo: Conv2dGeometry, part: ConvRange, out: Float32Array,
): void {
  const asConv = backwardInputAsConv(geo);
  if (asConv && isWinograd3x3(geo) && preferWinograd(asConv)) {
    // dx = the forward conv of dy with w rotated 180° and its channel axes swapped.
    const direct = winograd(s, { conv: asConv, flipped: true, x: dy, w, out, n0: part.n0, n1: part.n1, o0: part.o0, Op: part.o1 - part.o0, bias: null });
    for (const n of direct) backwardInputDirect(s, dy, w, geo, { ...part, n0: n, n1: n + 1 }, out);
    return;
  }
  backwardInputDirect(s, dy, w, geo, part, out);
}

/** GEMM + col2im per image and group. */
function backwardInputDirect(s: SimdKernels, dy: Float32Array, w: Float32Array, geo: Conv2dGeometry, part: ConvRange, out: Float32Array): void {
  const { inChannels: C, inH, inW, outChannels: O, outH, outW } = geo;
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

/** The export of convWeightGradRows (kept here so loader.ts, shared with other kernels, stays untouched). */
interface WeightGradExports {
  convWeightGradRows(
    xp: number, Hp: number, Wp: number, count: number, kH: number, kW: number, sH: number, sW: number, dH: number, dW: number,
    outH: number, outW: number, dy: number, O: number, dwt: number, ldt: number, scratch: number,
  ): void;
  convWeightGradRowsScratchBytes(O: number, P: number, J: number): number;
}

/** Weight-gradient part: output channels [o0, o1) × input channels [c0, c1) of dW (one group), summed over the batch. */
export interface FilterRange {
  o0: number;
  o1: number;
  c0: number;
  c1: number;
}

/**
 * One group. Each image's channels [c0, c1) are copied into a zero-padded buffer once, so every tap of every output
 * position is an in-bounds read at a fixed offset; convWeightGradRows then reads x in place as the GEMM's A operand
 * against dy's rows [o0, o1) transposed into panels, accumulating dWᵀ (taps × channels) over the batch; the part's
 * block of dW is transposed out at the end. Padding cells are zeros that are multiplied (0 · ±inf = NaN, as the
 * im2col GEMM of PyTorch and backend-cpu).
 */
export function convBackwardFilterSimd(
  s: SimdKernels, x: Float32Array, dy: Float32Array, geo: Conv2dGeometry, part: FilterRange, out: Float32Array,
): void {
  const { batch, inChannels: C, inH: H, inW: W, outChannels: O, outH, outW, kH, kW } = geo;
  const { strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft } = geo;
  const { o0, o1, c0, c1 } = part;
  const K = kH * kW;
  const Kc = C * K;
  const P = outH * outW;
  const Cp = c1 - c0;
  const Op = o1 - o0;
  const J = Cp * K;
  const J4 = Math.ceil(J / 4) * 4;
  const ldt = Math.ceil(Op / 8) * 8;
  // The padded image holds every cell a tap reads: rows up to (outH − 1)·sH + (kH − 1)·dH (in padded coordinates).
  const Hp = Math.max(H + padTop, (outH - 1) * sH + (kH - 1) * dH + 1);
  const Wp = Math.max(W + padLeft, (outW - 1) * sW + (kW - 1) * dW + 1);
  const rowsIn = Math.min(H, Hp - padTop);
  const colsIn = Math.min(W, Wp - padLeft);
  const plane = H * W;
  s.reset();
  const pRaw = s.alloc(Cp * plane);
  const pXp = s.alloc(Cp * Hp * Wp);
  const pDy = s.alloc(Op * P);
  const pDwt = s.alloc(J4 * ldt);
  const k = s.k as unknown as WeightGradExports & SimdKernels['k'];
  const pScratch = s.allocBytes(k.convWeightGradRowsScratchBytes(Op, P, J));
  const mem = s.commit();
  mem.fill(0, pXp / 4, pXp / 4 + Cp * Hp * Wp);
  mem.fill(0, pDwt / 4, pDwt / 4 + J4 * ldt);
  for (let n = 0; n < batch; n++) {
    mem.set(x.subarray((n * C + c0) * plane, (n * C + c1) * plane), pRaw / 4);
    k.copy2d(pRaw, plane, W, pXp + (padTop * Wp + padLeft) * 4, Hp * Wp, Wp, Cp, rowsIn, colsIn);
    mem.set(dy.subarray((n * O + o0) * P, (n * O + o1) * P), pDy / 4);
    k.convWeightGradRows(pXp, Hp, Wp, Cp, kH, kW, sH, sW, dH, dW, outH, outW, pDy, Op, pDwt, ldt, pScratch);
  }
  const dwt = mem.subarray(pDwt / 4, pDwt / 4 + J4 * ldt);
  for (let o = o0; o < o1; o++) {
    const row = o * Kc + c0 * K;
    for (let j = 0; j < J; j++) out[row + j] = dwt[j * ldt + o - o0];
  }
}
