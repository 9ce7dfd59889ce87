// Depthwise conv2d forward (one input channel per group), re-exported by kernels.ts. Each output plane is a direct
// sliding-window sum over one input plane, computed 4 or 8 output columns per f32x4 step.
//
// Same arithmetic as backend-cpu's depthwise loop: every output starts at its bias and adds w[kh][kw] · x taps in
// (kh, kw) order, and taps that fall on padding are skipped rather than multiplied by a zero, so 0 · inf never makes
// a NaN the direct sum would not (contract.ts, "Special values"). f32x4.add / mul are IEEE: NaN propagates and
// 0 · inf = NaN inside the window. Columns whose taps are all inside the row run vectorised without bounds checks;
// the few border columns run the same sum in scalar code.

import { gather4 } from './simd-util';

/** Output columns [lo, hi) whose kW taps at `ow·sW - pL + kw·dW` all lie inside [0, W). */
// @ts-ignore: decorator
@inline
function interiorLo(sW: i32, pL: i32): i32 {
  return pL <= 0 ? 0 : (pL + sW - 1) / sW;
}

// @ts-ignore: decorator
@inline
function interiorHi(W: i32, kW: i32, sW: i32, dW: i32, pL: i32, outW: i32): i32 {
  const last = W - 1 - (kW - 1) * dW + pL; // largest ow·sW allowed
  if (last < 0) return 0;
  return min(outW, last / sW + 1);
}

/** One output column of one row, taps checked against the borders (the scalar path). */
// @ts-ignore: decorator
@inline
function borderPoint(x: i32, W: i32, w: i32, kW: i32, dW: i32, ih0: i32, dH: i32, khLo: i32, khHi: i32, iw0: i32, b: f32): f32 {
  let acc = b;
  for (let kh = khLo; kh < khHi; kh++) {
    const row = x + (((ih0 + kh * dH) * W) << 2);
    for (let kw = 0; kw < kW; kw++) {
      const iw = iw0 + kw * dW;
      if (iw < 0 || iw >= W) continue;
      acc += load<f32>(w + ((kh * kW + kw) << 2)) * load<f32>(row + (iw << 2));
    }
  }
  return acc;
}


/**
 * 3×3 taps with every kernel row inside the image: 8 outputs per step (two f32x4 accumulators), the 9 weights held in
 * registers. Stride 1 (any dilation) reads x with plain loads; stride 2 undilated deinterleaves even lanes.
 */
function row3x3(r0: i32, r1: i32, r2: i32, w: i32, sW: i32, dW: i32, lo: i32, hi: i32, dst: i32, b: f32, W: i32, iwBase: i32): i32 {
  const w00 = v128.load32_splat(w), w01 = v128.load32_splat(w, 4), w02 = v128.load32_splat(w, 8);
  const w10 = v128.load32_splat(w, 12), w11 = v128.load32_splat(w, 16), w12 = v128.load32_splat(w, 20);
  const w20 = v128.load32_splat(w, 24), w21 = v128.load32_splat(w, 28), w22 = v128.load32_splat(w, 32);
  const bv = f32x4.splat(b);
  const d1 = dW << 2;
  const d2 = dW << 3;
  let ow = lo;
  if (sW == 1) {
    for (; ow + 8 <= hi; ow += 8) {
      const o = (iwBase + ow) << 2;
      let a = bv, c = bv;
      a = f32x4.add(a, f32x4.mul(w00, v128.load(r0 + o))); c = f32x4.add(c, f32x4.mul(w00, v128.load(r0 + o, 16)));
      a = f32x4.add(a, f32x4.mul(w01, v128.load(r0 + o + d1))); c = f32x4.add(c, f32x4.mul(w01, v128.load(r0 + o + d1, 16)));
      a = f32x4.add(a, f32x4.mul(w02, v128.load(r0 + o + d2))); c = f32x4.add(c, f32x4.mul(w02, v128.load(r0 + o + d2, 16)));
      a = f32x4.add(a, f32x4.mul(w10, v128.load(r1 + o))); c = f32x4.add(c, f32x4.mul(w10, v128.load(r1 + o, 16)));
      a = f32x4.add(a, f32x4.mul(w11, v128.load(r1 + o + d1))); c = f32x4.add(c, f32x4.mul(w11, v128.load(r1 + o + d1, 16)));
      a = f32x4.add(a, f32x4.mul(w12, v128.load(r1 + o + d2))); c = f32x4.add(c, f32x4.mul(w12, v128.load(r1 + o + d2, 16)));
      a = f32x4.add(a, f32x4.mul(w20, v128.load(r2 + o))); c = f32x4.add(c, f32x4.mul(w20, v128.load(r2 + o, 16)));
      a = f32x4.add(a, f32x4.mul(w21, v128.load(r2 + o + d1))); c = f32x4.add(c, f32x4.mul(w21, v128.load(r2 + o + d1, 16)));
      a = f32x4.add(a, f32x4.mul(w22, v128.load(r2 + o + d2))); c = f32x4.add(c, f32x4.mul(w22, v128.load(r2 + o + d2, 16)));
      v128.store(dst + (ow << 2), a);
      v128.store(dst + (ow << 2), c, 16);
    }
    for (; ow + 4 <= hi; ow += 4) {
      const o = (iwBase + ow) << 2;
      let a = bv;
      a = f32x4.add(a, f32x4.mul(w00, v128.load(r0 + o)));
      a = f32x4.add(a, f32x4.mul(w01, v128.load(r0 + o + d1)));
      a = f32x4.add(a, f32x4.mul(w02, v128.load(r0 + o + d2)));
      a = f32x4.add(a, f32x4.mul(w10, v128.load(r1 + o)));
      a = f32x4.add(a, f32x4.mul(w11, v128.load(r1 + o + d1)));
      a = f32x4.add(a, f32x4.mul(w12, v128.load(r1 + o + d2)));
      a = f32x4.add(a, f32x4.mul(w20, v128.load(r2 + o)));
      a = f32x4.add(a, f32x4.mul(w21, v128.load(r2 + o + d1)));
      a = f32x4.add(a, f32x4.mul(w22, v128.load(r2 + o + d2)));
      v128.store(dst + (ow << 2), a);
    }
    return ow;
  }
  // sW == 2, dW == 1: input columns 2·ow + kw; with q = (v0, v1) the 8 floats from 2·ow, kw = 0 is q's even lanes,
  // kw = 1 its odd lanes, kw = 2 the even lanes of the 8 floats one further.
  for (; ow + 4 <= hi; ow += 4) {
    const o = (iwBase + 2 * ow) << 2;
    let a = bv;
    let p = r0 + o;
    let v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 8), v3 = v128.load(p, 24);
    a = f32x4.add(a, f32x4.mul(w00, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6)));
    a = f32x4.add(a, f32x4.mul(w01, v128.shuffle<f32>(v0, v1, 1, 3, 5, 7)));
    a = f32x4.add(a, f32x4.mul(w02, v128.shuffle<f32>(v2, v3, 0, 2, 4, 6)));
    p = r1 + o;
    v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 8); v3 = v128.load(p, 24);
    a = f32x4.add(a, f32x4.mul(w10, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6)));
    a = f32x4.add(a, f32x4.mul(w11, v128.shuffle<f32>(v0, v1, 1, 3, 5, 7)));
    a = f32x4.add(a, f32x4.mul(w12, v128.shuffle<f32>(v2, v3, 0, 2, 4, 6)));
    p = r2 + o;
    v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 8); v3 = v128.load(p, 24);
    a = f32x4.add(a, f32x4.mul(w20, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6)));
    a = f32x4.add(a, f32x4.mul(w21, v128.shuffle<f32>(v0, v1, 1, 3, 5, 7)));
    a = f32x4.add(a, f32x4.mul(w22, v128.shuffle<f32>(v2, v3, 0, 2, 4, 6)));
    v128.store(dst + (ow << 2), a);
  }
  return ow;
}

/**
 * Depthwise conv of `count` output planes: output plane j ([outH][outW] at out + j·outH·outW floats) reads input
 * plane j / mult ([H][W] at x) with weights w + j·kH·kW and bias bias[j] (bias = 0: none). x must have 8 readable
 * floats past its last plane (the stride-2 path over-reads up to one float, discarded).
 */
export function depthwise(
  x: i32, H: i32, W: i32, w: i32, bias: i32, count: i32, mult: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32, outH: i32, outW: i32, out: i32,
): void {
  const K = kH * kW;
  const lo = min(interiorLo(sW, pL), outW);
  const hi = max(lo, interiorHi(W, kW, sW, dW, pL, outW));
  const fast3 = kH == 3 && kW == 3 && (sW == 1 || (sW == 2 && dW == 1));
  for (let j = 0; j < count; j++) {
    const xp = x + (((j / mult) * H * W) << 2);
    const wp = w + ((j * K) << 2);
    const b: f32 = bias ? load<f32>(bias + (j << 2)) : 0;
    const op = out + ((j * outH * outW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * sH - pT;
      // Kernel rows inside the image: ih0 + kh·dH in [0, H).
      const khLo = ih0 >= 0 ? 0 : min(kH, (-ih0 + dH - 1) / dH);
      const khHi = H - ih0 <= 0 ? 0 : min(kH, (H - ih0 + dH - 1) / dH);
      const dst = op + ((oh * outW) << 2);
      for (let ow = 0; ow < lo; ow++) {
        store<f32>(dst + (ow << 2), borderPoint(xp, W, wp, kW, dW, ih0, dH, khLo, khHi, ow * sW - pL, b));
      }
      let ow = lo;
      if (khHi > khLo) {
        if (fast3 && khLo == 0 && khHi == 3) {
          const r0 = xp + ((ih0 * W) << 2);
          ow = row3x3(r0, r0 + ((dH * W) << 2), r0 + ((2 * dH * W) << 2), wp, sW, dW, lo, hi, dst, b, W, -pL);
        }
        // General taps, 4 outputs per step.
        const bv = f32x4.splat(b);
        for (; ow + 4 <= hi; ow += 4) {
          let a = bv;
          for (let kh = khLo; kh < khHi; kh++) {
            const row = xp + (((ih0 + kh * dH) * W) << 2);
            for (let kw = 0; kw < kW; kw++) {
              const p = row + ((ow * sW - pL + kw * dW) << 2);
              a = f32x4.add(a, f32x4.mul(v128.load32_splat(wp + ((kh * kW + kw) << 2)), gather4(p, sW)));
            }
          }
          v128.store(dst + (ow << 2), a);
        }
      }
      for (; ow < outW; ow++) {
        store<f32>(dst + (ow << 2), borderPoint(xp, W, wp, kW, dW, ih0, dH, khLo, khHi, ow * sW - pL, b));
      }
    }
  }
}

/**
 * fusedConv2d's epilogue on `n` floats at p, in place (conv-epilogue.ts has the definition): + residual (0: none),
 * then op 0 none, 1 relu (`x < 0 ? 0 : x`: NaN and -0 stay), 2 clamp (`min(max(x, p0), p1)`: f32x4.max / min
 * propagate NaN as Math.max / min do). Runs whole f32x4s: the caller's regions have room up to a multiple of 4.
 */
export function epilogue(p: i32, n: i32, residual: i32, op: i32, p0: f32, p1: f32): void {
  const zero = f32x4.splat(0);
  const lo = f32x4.splat(p0);
  const hi = f32x4.splat(p1);
  for (let i = 0; i < n; i += 4) {
    const at = p + (i << 2);
    let v = v128.load(at);
    if (residual) v = f32x4.add(v, v128.load(residual + (i << 2)));
    if (op == 1) v = v128.bitselect(zero, v, f32x4.lt(v, zero));
    else if (op == 2) v = f32x4.min(f32x4.max(v, lo), hi);
    v128.store(at, v);
  }
}
