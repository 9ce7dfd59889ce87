/**
 * Winograd F(2×2, 3×3) for 3×3, stride-1, undilated, ungrouped convolution: each 2×2 output tile costs 16
 * multiplies per (input, output) channel pair instead of 36, i.e. 2.25× fewer GEMM flops. The channel sums become 16
 * independent GEMMs (one per transform-domain position ξ): M[ξ] (O × T) = U[ξ] (O × C) · V[ξ] (C × T), T = tiles.
 * Transforms (Lavin & Gray 2015): U = G·g·Gᵀ, V = Bᵀ·d·B, Y = Aᵀ·M·A. Their error amplification is tiny for F(2,3)
 * (constants 0, ±1, ±½), well inside rtol 1e-4 in float32.
 *
 * Also used for the input gradient of such a conv, which is the same kind of conv on dy with the kernel flipped and
 * the channel axes swapped (core's backwardInputAsConv; see Conv2DBackpropInput.ts).
 */
import type { Conv2dGeometry } from '@cnn/core';
import { gemm, view } from './gemm.js';
import { winogradFilterTile } from './winograd-filter.js';
import { f32Scratch } from './scratch.js';

/** Aim for about this many tiles per GEMM batch: enough columns to amortise packing, small enough for L2/L3. */
const TILES_PER_CHUNK = 1024;

/** Filter transform of the conv `g`'s kernels (see winograd-filter.ts for `flipped`) → U [16, O, C]. */
function transformFilter(w: Float32Array, g: Conv2dGeometry, flipped: boolean, U: Float32Array): void {
  const { outChannels: O, inChannels: C } = g;
  const OC = O * C;
  const u = new Float64Array(16);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      winogradFilterTile(w, g, o, c, flipped, u);
      const oc = o * C + c;
      for (let xi = 0; xi < 16; xi++) U[xi * OC + oc] = u[xi];
    }
  }
}

/** Input transform of tiles [t0, t0+T) (numbered image-major, then tile row, then tile column) → V [16, C, T]. */
function transformInput(x: Float32Array, g: Conv2dGeometry, tilesH: number, tilesW: number, t0: number, T: number, V: Float32Array): void {
  const { inChannels: C, inH, inW, padTop, padLeft } = g;
  const perImage = tilesH * tilesW;
  const CT = C * T;
  const d = new Float64Array(16);
  for (let t = 0; t < T; t++) {
    const tile = t0 + t;
    const n = Math.floor(tile / perImage);
    const rem = tile - n * perImage;
    const th = Math.floor(rem / tilesW);
    const tw = rem - th * tilesW;
    const h0 = 2 * th - padTop;
    const w0 = 2 * tw - padLeft;
    const interior = h0 >= 0 && w0 >= 0 && h0 + 4 <= inH && w0 + 4 <= inW;
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * inH * inW;
      if (interior) {
        for (let r = 0; r < 4; r++) {
          const s = plane + (h0 + r) * inW + w0;
          d[r * 4] = x[s];
          d[r * 4 + 1] = x[s + 1];
          d[r * 4 + 2] = x[s + 2];
          d[r * 4 + 3] = x[s + 3];
        }
      } else {
        for (let r = 0; r < 4; r++) {
          const ih = h0 + r;
          for (let q = 0; q < 4; q++) {
            const iw = w0 + q;
            d[r * 4 + q] = ih >= 0 && ih < inH && iw >= 0 && iw < inW ? x[plane + ih * inW + iw] : 0;
          }
        }
      }
      // s = Bᵀ·d (rows), then v = s·B (columns).
      const o = c * T + t;
      for (let q = 0; q < 4; q++) {
        const a0 = d[q], a1 = d[4 + q], a2 = d[8 + q], a3 = d[12 + q];
        d[q] = a0 - a2;
        d[4 + q] = a1 + a2;
        d[8 + q] = a2 - a1;
        d[12 + q] = a1 - a3;
      }
      for (let r = 0; r < 4; r++) {
        const a0 = d[r * 4], a1 = d[r * 4 + 1], a2 = d[r * 4 + 2], a3 = d[r * 4 + 3];
        V[(r * 4) * CT + o] = a0 - a2;
        V[(r * 4 + 1) * CT + o] = a1 + a2;
        V[(r * 4 + 2) * CT + o] = a2 - a1;
        V[(r * 4 + 3) * CT + o] = a1 - a3;
      }
    }
  }
}

/** Output transform M [16, O, T] → out (NCHW), adding onto what is there (bias, or zeros). */
function transformOutput(M: Float32Array, g: Conv2dGeometry, tilesH: number, tilesW: number, t0: number, T: number, out: Float32Array): void {
  const { outChannels: O, outH, outW } = g;
  const perImage = tilesH * tilesW;
  const OT = O * T;
  for (let t = 0; t < T; t++) {
    const tile = t0 + t;
    const n = Math.floor(tile / perImage);
    const rem = tile - n * perImage;
    const th = Math.floor(rem / tilesW);
    const tw = rem - th * tilesW;
    const oh = 2 * th;
    const ow = 2 * tw;
    const fullH = oh + 1 < outH;
    const fullW = ow + 1 < outW;
    for (let o = 0; o < O; o++) {
      const i = o * T + t;
      const m0 = M[i], m1 = M[OT + i], m2 = M[2 * OT + i], m3 = M[3 * OT + i];
      const m4 = M[4 * OT + i], m5 = M[5 * OT + i], m6 = M[6 * OT + i], m7 = M[7 * OT + i];
      const m8 = M[8 * OT + i], m9 = M[9 * OT + i], m10 = M[10 * OT + i], m11 = M[11 * OT + i];
      const m12 = M[12 * OT + i], m13 = M[13 * OT + i], m14 = M[14 * OT + i], m15 = M[15 * OT + i];
      // s = Aᵀ·m (2×4), y = s·A (2×2).
      const s00 = m0 + m4 + m8, s01 = m1 + m5 + m9, s02 = m2 + m6 + m10, s03 = m3 + m7 + m11;
      const s10 = m4 - m8 - m12, s11 = m5 - m9 - m13, s12 = m6 - m10 - m14, s13 = m7 - m11 - m15;
      const base = ((n * O + o) * outH + oh) * outW + ow;
      out[base] += s00 + s01 + s02;
      if (fullW) out[base + 1] += s01 - s02 - s03;
      if (fullH) {
        out[base + outW] += s10 + s11 + s12;
        if (fullW) out[base + outW + 1] += s11 - s12 - s13;
      }
    }
  }
}

/**
 * out (+)= conv3×3(x, w) for the geometry `g` (stride 1, no dilation, one group; isWinograd3x3); `out` holds bias or
 * zeros. `flipped`: `g` is core's backwardInputAsConv of w's conv, x is dy and out is dx (see winograd-filter.ts).
 */
export function winogradConv3x3(x: Float32Array, w: Float32Array, g: Conv2dGeometry, flipped: boolean, out: Float32Array): void {
  const { batch, inChannels: C, outChannels: O } = g;
  const tilesH = Math.ceil(g.outH / 2);
  const tilesW = Math.ceil(g.outW / 2);
  const total = batch * tilesH * tilesW;
  const U = f32Scratch('winogradU', 16 * O * C);
  transformFilter(w, g, flipped, U);
  const chunk = Math.min(total, Math.max(TILES_PER_CHUNK, tilesH * tilesW));
  const V = f32Scratch('winogradV', 16 * C * chunk);
  const M = f32Scratch('winogradM', 16 * O * chunk);
  for (let t0 = 0; t0 < total; t0 += chunk) {
    const T = Math.min(chunk, total - t0);
    transformInput(x, g, tilesH, tilesW, t0, T, V);
    for (let xi = 0; xi < 16; xi++) {
      gemm(O, T, C, view(U, xi * O * C, C, 1), view(V, xi * C * T, T, 1), view(M, xi * O * T, T, 1), false);
    }
    transformOutput(M, g, tilesH, tilesW, t0, T, out);
  }
}
