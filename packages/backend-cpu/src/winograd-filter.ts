/**
 * The Winograd F(2×2, 3×3) filter transform U = G·g·Gᵀ (Lavin & Gray 2015), for every backend that runs Winograd
 * convolutions: this package's and the worker pool's (exported from '@cnn/backend-cpu/kernels'). Each backend packs
 * the 16 values into its own GEMM layout; the transform itself, and which 3×3 kernel feeds it, are defined here once.
 *
 * Winograd runs a forward conv. For the forward pass that conv is w itself ([O, C, 3, 3]); for the input gradient it
 * is core's `backwardInputAsConv(geo)`, a conv of dy whose kernel linking its output channel o (a channel of dx) and
 * input channel c (a channel of dy) is w[c][o] rotated 180°.
 */
import type { Conv2dGeometry } from '@cnn/core';

/**
 * Writes into `u` (16 values, row-major over the 4×4 transform domain) the transform of the 3×3 kernel linking output
 * channel `o` and input channel `c` of the Winograd conv `conv`: w[o][c] when `flipped` is false, w[c][o] rotated
 * 180° when the conv is the input gradient (`conv` = backwardInputAsConv of w's conv; one group).
 */
export function winogradFilterTile(w: Float32Array, conv: Conv2dGeometry, o: number, c: number, flipped: boolean, u: Float64Array): void {
  // w is [conv.inChannels, conv.outChannels, 3, 3] when flipped; tap k of the rotated kernel is tap 8 − k of w[c][o].
  const first = flipped ? (c * conv.outChannels + o) * 9 + 8 : (o * conv.inChannels + c) * 9;
  const step = flipped ? -1 : 1;
  const g0 = w[first], g1 = w[first + step], g2 = w[first + 2 * step];
  const g3 = w[first + 3 * step], g4 = w[first + 4 * step], g5 = w[first + 5 * step];
  const g6 = w[first + 6 * step], g7 = w[first + 7 * step], g8 = w[first + 8 * step];
  // t = G·g (4×3), then each row r of t becomes row r of u = t·Gᵀ (4×4); float64 throughout, rounded once when the
  // caller stores u as float32.
  tileRow(g0, g1, g2, u, 0);
  tileRow(0.5 * (g0 + g3 + g6), 0.5 * (g1 + g4 + g7), 0.5 * (g2 + g5 + g8), u, 4);
  tileRow(0.5 * (g0 - g3 + g6), 0.5 * (g1 - g4 + g7), 0.5 * (g2 - g5 + g8), u, 8);
  tileRow(g6, g7, g8, u, 12);
}

function tileRow(a: number, b: number, c: number, u: Float64Array, at: number): void {
  u[at] = a;
  u[at + 1] = 0.5 * (a + b + c);
  u[at + 2] = 0.5 * (a - b + c);
  u[at + 3] = c;
}
