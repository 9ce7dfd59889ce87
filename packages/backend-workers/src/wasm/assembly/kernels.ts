// AssemblyScript source of the WebAssembly SIMD (128-bit) kernels. Compiled by `scripts/generate.mjs` (asc, from npm)
// into src/generated/simd-wasm.ts. All pointers are byte offsets into the module's own memory; the JavaScript side
// (src/wasm/*.ts) lays out operands there, calls these, and copies results out. Matrices are float32.
//
// GEMM shape: MR × NR = 4 × 8 micro-tile, 8 f32x4 accumulators. A is packed into 4-row slivers ([kc][4]), B into
// 8-column panels ([kc][8]); per k step the kernel does two 128-bit loads of B, four broadcast loads of A and eight
// multiply-adds: `madd`, a mul then an add in plain SIMD; in the relaxed-SIMD build (the same source compiled with
// --enable relaxed-simd, chosen where the engine has it) one f32x4.relaxed_madd, a fused multiply-add on x86 with FMA.

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;
const NC = 2048;

/** a·b + c. Plain SIMD rounds the product, then the sum; relaxed SIMD may fuse them (one rounding): both are within
 * every tolerance the suites use, and IEEE special values behave the same (0·inf = NaN, NaN propagates). */
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Whether this module was built with relaxed SIMD (1) or plain SIMD (0). */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Start of free memory: the JavaScript side allocates above this. */
export function heapBase(): i32 {
  return <i32>__heap_base;
}

/** C tile (4 × 8 at `c`, row stride `ldc` floats) (+)= A sliver · B panel over `kc` steps. */
// @ts-ignore: decorator
@inline
function micro(kc: i32, pa: i32, pb: i32, c: i32, ldc: i32, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa, 4);
    const a2 = v128.load32_splat(pa, 8);
    const a3 = v128.load32_splat(pa, 12);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += 16;
    pb += 32;
  }
  const rs = ldc << 2;
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + rs)); c11 = f32x4.add(c11, v128.load(c + rs, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * rs)); c21 = f32x4.add(c21, v128.load(c + 2 * rs, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * rs)); c31 = f32x4.add(c31, v128.load(c + 3 * rs, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rs, c10); v128.store(c + rs, c11, 16);
  v128.store(c + 2 * rs, c20); v128.store(c + 2 * rs, c21, 16);
  v128.store(c + 3 * rs, c30); v128.store(c + 3 * rs, c31, 16);
}

/** A (mc × kc, strides rs/cs in floats, at byte `a`) → 4-row slivers [ceil(mc/4)][kc][4], zero-padded. */
function packA(a: i32, mc: i32, kc: i32, rs: i32, cs: i32, out: i32): void {
  for (let r = 0; r < mc; r += MR) {
    const h = min(MR, mc - r);
    const base = a + ((r * rs) << 2);
    if (h == MR && cs == 1) {
      const r1 = rs << 2;
      for (let p = 0; p < kc; p++) {
        const s = base + (p << 2);
        store<f32>(out, load<f32>(s));
        store<f32>(out, load<f32>(s + r1), 4);
        store<f32>(out, load<f32>(s + 2 * r1), 8);
        store<f32>(out, load<f32>(s + 3 * r1), 12);
        out += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + ((p * cs) << 2);
        for (let i = 0; i < MR; i++) store<f32>(out + (i << 2), i < h ? load<f32>(s + ((i * rs) << 2)) : 0);
        out += 16;
      }
    }
  }
}

/** B (kc × nc, strides rs/cs, at byte `b`) → 8-column panels [ceil(nc/8)][kc][8], zero-padded. */
function packB(b: i32, kc: i32, nc: i32, rs: i32, cs: i32, out: i32): void {
  for (let q = 0; q < nc; q += NR) {
    const w = min(NR, nc - q);
    const base = b + ((q * cs) << 2);
    if (w == NR && cs == 1) {
      for (let p = 0; p < kc; p++) {
        const s = base + ((p * rs) << 2);
        v128.store(out, v128.load(s));
        v128.store(out, v128.load(s, 16), 16);
        out += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + ((p * rs) << 2);
        for (let j = 0; j < NR; j++) store<f32>(out + (j << 2), j < w ? load<f32>(s + ((j * cs) << 2)) : 0);
        out += 32;
      }
    }
  }
}

/** Bytes of packing scratch `gemm` needs for (m, n, k): packed A block then packed B block. */
export function gemmScratchBytes(m: i32, n: i32, k: i32): i32 {
  const kc = min(KC, k);
  const mc = min(MC, m);
  const nc = min(NC, n);
  return ((((mc + MR - 1) / MR) * MR + ((nc + NR - 1) / NR) * NR) * kc + MR * NR) << 2;
}

/**
 * C (m × n, row stride ldc) = A (m × k) · B (k × n), or += when `accumulate`. A and B are strided views (element
 * (i, j) at base + (i·rs + j·cs)·4). `scratch` holds gemmScratchBytes(m, n, k) bytes.
 */
export function gemm(
  m: i32, n: i32, k: i32, a: i32, rsA: i32, csA: i32, b: i32, rsB: i32, csB: i32, c: i32, ldc: i32, accumulate: i32, scratch: i32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + ((i * ldc) << 2), 0, n << 2);
    return;
  }
  const kcMax = min(KC, k);
  const pa = scratch;
  const pb = pa + ((((min(MC, m) + MR - 1) / MR) * MR * kcMax) << 2);
  const tile = pb + ((((min(NC, n) + NR - 1) / NR) * NR * kcMax) << 2);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const nPanels = (nc + NR - 1) / NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b + ((pc * rsB + jc * csB) << 2), kc, nc, rsB, csB, pb);
      const add = accumulate != 0 || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        const mPanels = (mc + MR - 1) / MR;
        packA(a + ((ic * rsA + pc * csA) << 2), mc, kc, rsA, csA, pa);
        for (let q = 0; q < nPanels; q++) {
          const j0 = jc + q * NR;
          const cols = min(NR, n - j0);
          const bp = pb + ((q * NR * kc) << 2);
          for (let r = 0; r < mPanels; r++) {
            const i0 = ic + r * MR;
            const rows = min(MR, m - i0);
            const ap = pa + ((r * MR * kc) << 2);
            const cp = c + ((i0 * ldc + j0) << 2);
            if (rows == MR && cols == NR) {
              micro(kc, ap, bp, cp, ldc, add);
            } else {
              micro(kc, ap, bp, tile, NR, false);
              for (let i = 0; i < rows; i++) {
                for (let j = 0; j < cols; j++) {
                  const dst = cp + ((i * ldc + j) << 2);
                  const v = load<f32>(tile + ((i * NR + j) << 2));
                  store<f32>(dst, add ? load<f32>(dst) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}

// ---- Winograd F(2×2, 3×3) ----------------------------------------------------------------------------------------
// U, V and M each hold 16 planes, one per transform-domain point ξ, xiPlane(n) floats apart: 16 floats past the
// plane, so that the 16 streams a transform reads or writes at once do not share L1 sets (plane sizes are often
// multiples of 4 KiB, which put all 16 in one set and made the filter transform 3× slower).

/** Floats from one ξ plane of n floats to the next (JavaScript allocates 16 · xiPlane(n)). */
// @ts-ignore: decorator
@inline
function xiPlane(n: i32): i32 {
  return n + 16;
}
// Tiles of one image are numbered t = tileRow · tilesWp + tileCol, tilesWp a multiple of 4 (tiles past the image
// read zero padding and their outputs are dropped), so a group of 4 consecutive tiles sits in one half of an 8-wide
// panel and the transforms run 4 tiles per f32x4.

/**
 * Input transform of tile rows [th0, th0 + nRows) of a zero-padded image `xp` ([C][Hp][Wp], Wp ≥ 2·tilesWp + 4,
 * tile (th, tw) reads rows 2th..2th+3 and columns 2tw..2tw+3) → V, packed as GEMM B panels: V[ξ] is
 * [Tpad / 8][C][8] at V + ξ·C·Tpad·4 bytes, T = nRows · tilesWp tiles, Tpad = T rounded up to 8 (tail zeroed).
 */
export function winoInput(xp: i32, C: i32, Hp: i32, Wp: i32, th0: i32, nRows: i32, tilesWp: i32, V: i32, Tpad: i32): void {
  const xiStride = xiPlane(C * Tpad) << 2;
  const T = nRows * tilesWp;
  if (Tpad > T) {
    // The last panel's upper half (4 tiles) is past the chunk: zero it in every ξ.
    for (let xi = 0; xi < 16; xi++) {
      const base = V + xi * xiStride + ((((T >> 3) * C) * 8) << 2);
      for (let c = 0; c < C; c++) v128.store(base + ((c * 8 + 4) << 2), f32x4.splat(0));
    }
  }
  const plane = (Hp * Wp) << 2;
  const row = Wp << 2;
  for (let r = 0; r < nRows; r++) {
    const ih = 2 * (th0 + r);
    for (let tw = 0; tw < tilesWp; tw += 4) {
      const t = r * tilesWp + tw;
      const dst0 = V + (((t >> 3) * C * 8 + (t & 7)) << 2);
      let src = xp + ((ih * Wp + 2 * tw) << 2);
      for (let c = 0; c < C; c++) {
        // d[r][q] for the 4 tiles, rows r = 0..3 of the 4×4 input patches.
        let s = src;
        let v0 = v128.load(s), v1 = v128.load(s, 16), v2 = v128.load(s, 32);
        let e = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6), o = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
        let d00 = e, d01 = o;
        let d02 = v128.shuffle<f32>(e, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
        let d03 = v128.shuffle<f32>(o, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
        s += row;
        v0 = v128.load(s); v1 = v128.load(s, 16); v2 = v128.load(s, 32);
        e = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6); o = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
        let d10 = e, d11 = o;
        let d12 = v128.shuffle<f32>(e, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
        let d13 = v128.shuffle<f32>(o, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
        s += row;
        v0 = v128.load(s); v1 = v128.load(s, 16); v2 = v128.load(s, 32);
        e = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6); o = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
        let d20 = e, d21 = o;
        let d22 = v128.shuffle<f32>(e, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
        let d23 = v128.shuffle<f32>(o, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
        s += row;
        v0 = v128.load(s); v1 = v128.load(s, 16); v2 = v128.load(s, 32);
        e = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6); o = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
        let d30 = e, d31 = o;
        let d32 = v128.shuffle<f32>(e, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
        let d33 = v128.shuffle<f32>(o, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
        // s = Bᵀ·d: rows (d0 − d2, d1 + d2, d2 − d1, d1 − d3), per column q.
        const s00 = f32x4.sub(d00, d20), s01 = f32x4.sub(d01, d21), s02 = f32x4.sub(d02, d22), s03 = f32x4.sub(d03, d23);
        const s10 = f32x4.add(d10, d20), s11 = f32x4.add(d11, d21), s12 = f32x4.add(d12, d22), s13 = f32x4.add(d13, d23);
        const s20 = f32x4.sub(d20, d10), s21 = f32x4.sub(d21, d11), s22 = f32x4.sub(d22, d12), s23 = f32x4.sub(d23, d13);
        const s30 = f32x4.sub(d10, d30), s31 = f32x4.sub(d11, d31), s32 = f32x4.sub(d12, d32), s33 = f32x4.sub(d13, d33);
        // v = s·B: columns the same way; ξ = 4·row + column.
        const dst = dst0 + ((c * 8) << 2);
        v128.store(dst, f32x4.sub(s00, s02));
        v128.store(dst + xiStride, f32x4.add(s01, s02));
        v128.store(dst + 2 * xiStride, f32x4.sub(s02, s01));
        v128.store(dst + 3 * xiStride, f32x4.sub(s01, s03));
        v128.store(dst + 4 * xiStride, f32x4.sub(s10, s12));
        v128.store(dst + 5 * xiStride, f32x4.add(s11, s12));
        v128.store(dst + 6 * xiStride, f32x4.sub(s12, s11));
        v128.store(dst + 7 * xiStride, f32x4.sub(s11, s13));
        v128.store(dst + 8 * xiStride, f32x4.sub(s20, s22));
        v128.store(dst + 9 * xiStride, f32x4.add(s21, s22));
        v128.store(dst + 10 * xiStride, f32x4.sub(s22, s21));
        v128.store(dst + 11 * xiStride, f32x4.sub(s21, s23));
        v128.store(dst + 12 * xiStride, f32x4.sub(s30, s32));
        v128.store(dst + 13 * xiStride, f32x4.add(s31, s32));
        v128.store(dst + 14 * xiStride, f32x4.sub(s32, s31));
        v128.store(dst + 15 * xiStride, f32x4.sub(s31, s33));
        src += plane;
      }
    }
  }
}

/**
 * The 16 transform-domain GEMMs: M[ξ] (Opad × Tpad, row-major, at M + ξ·Opad·Tpad·4) = U[ξ] · V[ξ], where U[ξ] is
 * packed as A slivers [Opad / 4][C][4] at U + ξ·Opad·C·4 and V[ξ] as B panels (see winoInput).
 */
export function winoGemm(U: i32, Opad: i32, C: i32, V: i32, Tpad: i32, M: i32): void {
  const nPanels = Tpad >> 3;
  const mPanels = Opad >> 2;
  for (let xi = 0; xi < 16; xi++) {
    const u = U + ((xi * xiPlane(Opad * C)) << 2);
    const v = V + ((xi * xiPlane(C * Tpad)) << 2);
    const mm = M + ((xi * xiPlane(Opad * Tpad)) << 2);
    // Sliver-major: a sliver of U (C × 4) stays in L1 across the chunk's panels; U is read once per chunk.
    for (let r = 0; r < mPanels; r++) {
      const ap = u + ((r * 4 * C) << 2);
      for (let q = 0; q < nPanels; q++) {
        micro(C, ap, v + ((q * C * 8) << 2), mm + ((r * 4 * Tpad + q * 8) << 2), Tpad, false);
      }
    }
  }
}

/**
 * Output transform of channels [0, O) for a chunk of nRows tile rows: M → out, channel o's 2·nRows rows of
 * 2·tilesWp floats at out + o·planeStride·4, plus bias[o] when `bias` ≠ 0.
 */
export function winoOutput(M: i32, Opad: i32, Tpad: i32, O: i32, nRows: i32, tilesWp: i32, out: i32, planeStride: i32, bias: i32): void {
  const xiStride = xiPlane(Opad * Tpad) << 2;
  const outW = 2 * tilesWp;
  const orow = outW << 2;
  for (let o = 0; o < O; o++) {
    const b = bias != 0 ? f32x4.splat(load<f32>(bias + (o << 2))) : f32x4.splat(0);
    const mrow = M + ((o * Tpad) << 2);
    const obase = out + ((o * planeStride) << 2);
    for (let r = 0; r < nRows; r++) {
      for (let tw = 0; tw < tilesWp; tw += 4) {
        const p = mrow + ((r * tilesWp + tw) << 2);
        const m0 = v128.load(p), m1 = v128.load(p + xiStride), m2 = v128.load(p + 2 * xiStride), m3 = v128.load(p + 3 * xiStride);
        const m4 = v128.load(p + 4 * xiStride), m5 = v128.load(p + 5 * xiStride), m6 = v128.load(p + 6 * xiStride), m7 = v128.load(p + 7 * xiStride);
        const m8 = v128.load(p + 8 * xiStride), m9 = v128.load(p + 9 * xiStride), m10 = v128.load(p + 10 * xiStride), m11 = v128.load(p + 11 * xiStride);
        const m12 = v128.load(p + 12 * xiStride), m13 = v128.load(p + 13 * xiStride), m14 = v128.load(p + 14 * xiStride), m15 = v128.load(p + 15 * xiStride);
        // s = Aᵀ·m (2×4), y = s·A (2×2).
        const s00 = f32x4.add(f32x4.add(m0, m4), m8), s01 = f32x4.add(f32x4.add(m1, m5), m9);
        const s02 = f32x4.add(f32x4.add(m2, m6), m10), s03 = f32x4.add(f32x4.add(m3, m7), m11);
        const s10 = f32x4.sub(f32x4.sub(m4, m8), m12), s11 = f32x4.sub(f32x4.sub(m5, m9), m13);
        const s12 = f32x4.sub(f32x4.sub(m6, m10), m14), s13 = f32x4.sub(f32x4.sub(m7, m11), m15);
        const y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), b);
        const y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), b);
        const y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), b);
        const y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), b);
        const d = obase + ((2 * r * outW + 2 * tw) << 2);
        v128.store(d, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
        v128.store(d, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
        v128.store(d + orow, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
        v128.store(d + orow, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
      }
    }
  }
}

// ---- im2col / col2im (one image, zero padding, any stride / dilation) -----------------------------------------

/** x ([C][H][W] at byte x, channels [c0, c0 + count)) → col [count·kH·kW][outH·outW]. */
export function im2col(
  x: i32, H: i32, W: i32, c0: i32, count: i32, kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32,
  outH: i32, outW: i32, col: i32,
): void {
  let dst = col;
  for (let c = c0; c < c0 + count; c++) {
    const plane = x + ((c * H * W) << 2);
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const wOff = kw * dW - pL;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * sH + kh * dH - pT;
          if (ih < 0 || ih >= H) {
            memory.fill(dst, 0, outW << 2);
          } else {
            const rowp = plane + ((ih * W) << 2);
            for (let ow = 0; ow < outW; ow++) {
              const iw = ow * sW + wOff;
              store<f32>(dst + (ow << 2), iw >= 0 && iw < W ? load<f32>(rowp + (iw << 2)) : 0);
            }
          }
          dst += outW << 2;
        }
      }
    }
  }
}

/** Adjoint of im2col: dx (channels [c0, c0 + count) of [C][H][W]) += col. */
export function col2im(
  col: i32, H: i32, W: i32, c0: i32, count: i32, kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32,
  outH: i32, outW: i32, dx: i32,
): void {
  let src = col;
  for (let c = c0; c < c0 + count; c++) {
    const plane = dx + ((c * H * W) << 2);
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const wOff = kw * dW - pL;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * sH + kh * dH - pT;
          if (ih >= 0 && ih < H) {
            const rowp = plane + ((ih * W) << 2);
            for (let ow = 0; ow < outW; ow++) {
              const iw = ow * sW + wOff;
              if (iw >= 0 && iw < W) {
                const p = rowp + (iw << 2);
                store<f32>(p, load<f32>(p) + load<f32>(src + (ow << 2)));
              }
            }
          }
          src += outW << 2;
        }
      }
    }
  }
}

/** Copies `planes` × `rows` × `cols` floats between strided layouts (strides in floats); pads and crops images. */
export function copy2d(src: i32, srcPlane: i32, srcRow: i32, dst: i32, dstPlane: i32, dstRow: i32, planes: i32, rows: i32, cols: i32): void {
  for (let p = 0; p < planes; p++) {
    let s = src + ((p * srcPlane) << 2);
    let d = dst + ((p * dstPlane) << 2);
    for (let r = 0; r < rows; r++) {
      memory.copy(d, s, cols << 2);
      s += srcRow << 2;
      d += dstRow << 2;
    }
  }
}

/**
 * Weight gradient of one image with x as the A operand read in place: dwt (J4 × ldt floats, row = tap, column =
 * output channel) += Σ_p x_tap(p) · dy(o, p), for taps [0, J) = channels [0, count) × kH × kW of the zero-padded
 * image xp ([count][Hp][Wp]: every tap of every output position lies inside it, so no bounds checks) and output
 * channels [0, O) of dy (O × P). dy is transposed once into 8-column panels (`scratch`: convWeightGradRowsScratchBytes) that
 * stay in L1 while every 4-tap group streams its 4 input rows past them; the 4 × 8 tile of dwᵀ accumulates over all
 * P positions in registers: nothing is gathered per tap (an earlier per-tap gather took most of the time).
 * J4 = J rounded up to 4 (taps past J repeat tap J − 1 into rows the caller ignores); ldt ≥ O rounded up to 8.
 */
export function convWeightGradRows(
  xp: i32, Hp: i32, Wp: i32, count: i32, kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32,
  outH: i32, outW: i32, dy: i32, O: i32, dwt: i32, ldt: i32, scratch: i32,
): void {
  const P = outH * outW;
  packRowsT(dy, O, P, scratch);
  const K = kH * kW;
  const J = count * K;
  // Byte address of each tap's first cell (output position 0), after the panels; taps past J repeat tap J − 1.
  const taps = scratch + ((((O + 7) & ~7) * P) << 2);
  const J4 = (J + 3) & ~3;
  for (let t = 0; t < J4; t++) {
    const j = min(t, J - 1);
    const c = j / K;
    const kk = j - c * K;
    const kh = kk / kW;
    const kw = kk - kh * kW;
    store<i32>(taps + (t << 2), xp + ((c * Hp * Wp + kh * dH * Wp + kw * dW) << 2));
  }
  const rowStep = (sH * Wp) << 2;
  const colStep = sW << 2;
  // Bands of output rows whose slice of a dy panel (about WG_BAND floats) stays in L1 across every tap group.
  const band = max(1, WG_BAND / (outW * 8));
  for (let h0 = 0; h0 < outH; h0 += band) {
    const h1 = min(outH, h0 + band);
    for (let q = 0; q < O; q += 8) {
      const bp = scratch + ((q * P + h0 * outW * 8) << 2);
      for (let t = 0; t < J; t += 4) {
        const tp = taps + (t << 2);
        const a0 = load<i32>(tp), a1 = load<i32>(tp, 4), a2 = load<i32>(tp, 8), a3 = load<i32>(tp, 12);
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
        let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        let b = bp;
        for (let oh = h0; oh < h1; oh++) {
          let off = oh * rowStep;
          const end = b + ((outW * 8) << 2);
          for (; b < end; b += 32) {
            const b0 = v128.load(b);
            const b1 = v128.load(b, 16);
            const x0 = v128.load32_splat(a0 + off);
            const x1 = v128.load32_splat(a1 + off);
            const x2 = v128.load32_splat(a2 + off);
            const x3 = v128.load32_splat(a3 + off);
            c00 = madd(x0, b0, c00);
            c01 = madd(x0, b1, c01);
            c10 = madd(x1, b0, c10);
            c11 = madd(x1, b1, c11);
            c20 = madd(x2, b0, c20);
            c21 = madd(x2, b1, c21);
            c30 = madd(x3, b0, c30);
            c31 = madd(x3, b1, c31);
            off += colStep;
          }
        }
        const c = dwt + ((t * ldt + q) << 2);
        const rs = ldt << 2;
        v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
        v128.store(c + rs, f32x4.add(v128.load(c + rs), c10)); v128.store(c + rs, f32x4.add(v128.load(c + rs, 16), c11), 16);
        v128.store(c + 2 * rs, f32x4.add(v128.load(c + 2 * rs), c20)); v128.store(c + 2 * rs, f32x4.add(v128.load(c + 2 * rs, 16), c21), 16);
        v128.store(c + 3 * rs, f32x4.add(v128.load(c + 3 * rs), c30)); v128.store(c + 3 * rs, f32x4.add(v128.load(c + 3 * rs, 16), c31), 16);
      }
    }
  }
}

/** Bytes of scratch convWeightGradRows needs: the dy panels, then the tap table. */
export function convWeightGradRowsScratchBytes(O: i32, P: i32, J: i32): i32 {
  return ((((O + 7) & ~7) * P + ((J + 3) & ~3)) << 2);
}

/** A (rows × n, row-major) → 8-row panels [ceil(rows/8)][n][8] (rows past `rows` zero), 4 columns per step by two
 * 4 × 4 transposes. */
function packRowsT(a: i32, rows: i32, n: i32, out: i32): void {
  const zero = f32x4.splat(0);
  const rb = n << 2;
  for (let q = 0; q < rows; q += 8) {
    const h = min(8, rows - q);
    const base = a + ((q * n) << 2);
    let dst = out + ((q * n) << 2);
    let p = 0;
    for (; p + 4 <= n; p += 4) {
      const s = base + (p << 2);
      const r0 = v128.load(s), r1 = h > 1 ? v128.load(s + rb) : zero, r2 = h > 2 ? v128.load(s + 2 * rb) : zero;
      const r3 = h > 3 ? v128.load(s + 3 * rb) : zero, r4 = h > 4 ? v128.load(s + 4 * rb) : zero;
      const r5 = h > 5 ? v128.load(s + 5 * rb) : zero, r6 = h > 6 ? v128.load(s + 6 * rb) : zero;
      const r7 = h > 7 ? v128.load(s + 7 * rb) : zero;
      let t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      let t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
      v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
      v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
      t0 = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5); t1 = v128.shuffle<f32>(r6, r7, 0, 4, 1, 5);
      t2 = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7); t3 = v128.shuffle<f32>(r6, r7, 2, 6, 3, 7);
      v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), 16);
      v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 48);
      v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 80);
      v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 112);
      dst += 128;
    }
    for (; p < n; p++) {
      for (let i = 0; i < 8; i++) store<f32>(dst + (i << 2), i < h ? load<f32>(base + ((i * n + p) << 2)) : 0);
      dst += 32;
    }
  }
}

const WG_BAND = 2048;

// ---- Winograd filter transform ---------------------------------------------------------------------------------

/**
 * U = G·g·Gᵀ (backend-cpu's winogradFilterTile, in float32 here, 4 output channels per f32x4) for output channels
 * [0, Op) and input channels [0, C), packed as winoGemm's A slivers: U[ξ] is [Opad / 4][C][4] at U + ξ·Opad·C·4,
 * lanes past Op zero. The 3×3 kernel linking (o, c) has tap k at w + (o·so + c·sc + first + k·step)·4 (forward:
 * so = 9C, sc = 9, first 0, step 1; input gradient: w[c][o] rotated, so = 9, sc = 9·O, first 8, step −1).
 */
export function winoFilter(w: i32, so: i32, sc: i32, first: i32, step: i32, Op: i32, C: i32, U: i32, Opad: i32): void {
  const xiStride = xiPlane(Opad * C) << 2;
  for (let r = 0; r < Opad; r += 4) {
    for (let c = 0; c < C; c++) filterTile4(w, so, sc, first, step, r, min(4, Op - r), c, U + ((r * C + c * 4) << 2), xiStride);
  }
}

/** The 16 transformed values of (output channels r … r + lanes − 1, input channel c), one f32x4 per ξ at
 * dst + ξ·xiStride bytes (lanes ≥ `lanes` zero). */
// @ts-ignore: decorator
@inline
function filterTile4(w: i32, so: i32, sc: i32, first: i32, step: i32, r: i32, lanes: i32, c: i32, dst: i32, xiStride: i32): void {
  let g0 = f32x4.splat(0), g1 = f32x4.splat(0), g2 = f32x4.splat(0);
  let g3 = f32x4.splat(0), g4 = f32x4.splat(0), g5 = f32x4.splat(0);
  let g6 = f32x4.splat(0), g7 = f32x4.splat(0), g8 = f32x4.splat(0);
  const b = w + ((r * so + c * sc + first) << 2);
  const st = step << 2;
  const lo = so << 2;
  if (step == 1 && lanes == 4) {
    // Forward: each lane's 9 taps are contiguous. Taps 0-3 and 4-7 of the 4 lanes, transposed 4 × 4 by shuffles.
    const b1 = b + lo, b2 = b + 2 * lo, b3 = b + 3 * lo;
    let r0 = v128.load(b), r1 = v128.load(b1), r2 = v128.load(b2), r3 = v128.load(b3);
    let t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    let t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    g0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5); g1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
    g2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5); g3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
    r0 = v128.load(b, 16); r1 = v128.load(b1, 16); r2 = v128.load(b2, 16); r3 = v128.load(b3, 16);
    t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    g4 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5); g5 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
    g6 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5); g7 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
    g8 = f32x4.replace_lane(g8, 0, load<f32>(b, 32));
    g8 = f32x4.replace_lane(g8, 1, load<f32>(b1, 32));
    g8 = f32x4.replace_lane(g8, 2, load<f32>(b2, 32));
    g8 = f32x4.replace_lane(g8, 3, load<f32>(b3, 32));
    filterTaps(g0, g1, g2, g3, g4, g5, g6, g7, g8, dst, xiStride);
    return;
  }
  // Lane l gathers the 9 taps of (r + l, c); a missing lane stays zero.
  g0 = f32x4.replace_lane(g0, 0, load<f32>(b)); g1 = f32x4.replace_lane(g1, 0, load<f32>(b + st));
  g2 = f32x4.replace_lane(g2, 0, load<f32>(b + 2 * st)); g3 = f32x4.replace_lane(g3, 0, load<f32>(b + 3 * st));
  g4 = f32x4.replace_lane(g4, 0, load<f32>(b + 4 * st)); g5 = f32x4.replace_lane(g5, 0, load<f32>(b + 5 * st));
  g6 = f32x4.replace_lane(g6, 0, load<f32>(b + 6 * st)); g7 = f32x4.replace_lane(g7, 0, load<f32>(b + 7 * st));
  g8 = f32x4.replace_lane(g8, 0, load<f32>(b + 8 * st));
  if (lanes > 1) {
    const b1 = b + lo;
    g0 = f32x4.replace_lane(g0, 1, load<f32>(b1)); g1 = f32x4.replace_lane(g1, 1, load<f32>(b1 + st));
    g2 = f32x4.replace_lane(g2, 1, load<f32>(b1 + 2 * st)); g3 = f32x4.replace_lane(g3, 1, load<f32>(b1 + 3 * st));
    g4 = f32x4.replace_lane(g4, 1, load<f32>(b1 + 4 * st)); g5 = f32x4.replace_lane(g5, 1, load<f32>(b1 + 5 * st));
    g6 = f32x4.replace_lane(g6, 1, load<f32>(b1 + 6 * st)); g7 = f32x4.replace_lane(g7, 1, load<f32>(b1 + 7 * st));
    g8 = f32x4.replace_lane(g8, 1, load<f32>(b1 + 8 * st));
  }
  if (lanes > 2) {
    const b2 = b + 2 * lo;
    g0 = f32x4.replace_lane(g0, 2, load<f32>(b2)); g1 = f32x4.replace_lane(g1, 2, load<f32>(b2 + st));
    g2 = f32x4.replace_lane(g2, 2, load<f32>(b2 + 2 * st)); g3 = f32x4.replace_lane(g3, 2, load<f32>(b2 + 3 * st));
    g4 = f32x4.replace_lane(g4, 2, load<f32>(b2 + 4 * st)); g5 = f32x4.replace_lane(g5, 2, load<f32>(b2 + 5 * st));
    g6 = f32x4.replace_lane(g6, 2, load<f32>(b2 + 6 * st)); g7 = f32x4.replace_lane(g7, 2, load<f32>(b2 + 7 * st));
    g8 = f32x4.replace_lane(g8, 2, load<f32>(b2 + 8 * st));
  }
  if (lanes > 3) {
    const b3 = b + 3 * lo;
    g0 = f32x4.replace_lane(g0, 3, load<f32>(b3)); g1 = f32x4.replace_lane(g1, 3, load<f32>(b3 + st));
    g2 = f32x4.replace_lane(g2, 3, load<f32>(b3 + 2 * st)); g3 = f32x4.replace_lane(g3, 3, load<f32>(b3 + 3 * st));
    g4 = f32x4.replace_lane(g4, 3, load<f32>(b3 + 4 * st)); g5 = f32x4.replace_lane(g5, 3, load<f32>(b3 + 5 * st));
    g6 = f32x4.replace_lane(g6, 3, load<f32>(b3 + 6 * st)); g7 = f32x4.replace_lane(g7, 3, load<f32>(b3 + 7 * st));
    g8 = f32x4.replace_lane(g8, 3, load<f32>(b3 + 8 * st));
  }
  filterTaps(g0, g1, g2, g3, g4, g5, g6, g7, g8, dst, xiStride);
}

/** U = G·g·Gᵀ of 4 kernels at once (g0 … g8: tap k of each lane), one f32x4 per ξ at dst + ξ·xiStride. */
// @ts-ignore: decorator
@inline
function filterTaps(g0: v128, g1: v128, g2: v128, g3: v128, g4: v128, g5: v128, g6: v128, g7: v128, g8: v128, dst: i32, xiStride: i32): void {
  const half = f32x4.splat(0.5);
  // t = G·g: rows (g0 g1 g2), ½(g0+g3+g6 …), ½(g0−g3+g6 …), (g6 g7 g8); then u row = (a, ½(a+b+c), ½(a−b+c), c).
  filterRow(g0, g1, g2, dst, xiStride, half);
  filterRow(
    f32x4.mul(half, f32x4.add(f32x4.add(g0, g3), g6)), f32x4.mul(half, f32x4.add(f32x4.add(g1, g4), g7)),
    f32x4.mul(half, f32x4.add(f32x4.add(g2, g5), g8)), dst + 4 * xiStride, xiStride, half,
  );
  filterRow(
    f32x4.mul(half, f32x4.add(f32x4.sub(g0, g3), g6)), f32x4.mul(half, f32x4.add(f32x4.sub(g1, g4), g7)),
    f32x4.mul(half, f32x4.add(f32x4.sub(g2, g5), g8)), dst + 8 * xiStride, xiStride, half,
  );
  filterRow(g6, g7, g8, dst + 12 * xiStride, xiStride, half);
}

// @ts-ignore: decorator
@inline
function filterRow(a: v128, b: v128, c: v128, dst: i32, xiStride: i32, half: v128): void {
  v128.store(dst, a);
  v128.store(dst + xiStride, f32x4.mul(half, f32x4.add(f32x4.add(a, b), c)));
  v128.store(dst + 2 * xiStride, f32x4.mul(half, f32x4.add(f32x4.sub(a, b), c)));
  v128.store(dst + 3 * xiStride, c);
}

// Depthwise conv2d forward: its own file.
export * from './depthwise';

// ---- Convolution as one GEMM without an im2col matrix ------------------------------------------------------------
// out = W · col, where col (Kc = C·kH·kW taps × output positions) is never written whole: each block of CG_NB
// positions × KC taps is gathered from x straight into 8-column B panels, and each MC × KC block of W is packed into
// 4-row slivers for it (repacking W per position block costs 1/CG_NB of the block's multiply-adds). A 1×1 stride-1
// unpadded conv is passed as a 1-row image of H·W positions, so its panels are plain 128-bit copies of x.

const CG_NB = 256;

/** Floats from one B panel of kc taps to the next: 16 past the panel, so that a tap's 8-float rows in successive
 * panels (gatherTaps writes them in turn) do not all fall in one L1 set when kc·32 bytes is a multiple of 4 KiB. */
// @ts-ignore: decorator
@inline
function panelFloats(kc: i32): i32 {
  return kc * 8 + 16;
}

/** Bytes of scratch convGemm needs for O output channels, Kc taps and P positions: a B block, then an A block. */
export function convGemmScratchBytes(O: i32, Kc: i32, P: i32): i32 {
  const kc = min(KC, Kc);
  return ((panelFloats(kc) * ((min(CG_NB, P) + 7) >> 3) + kc * ((min(MC, O) + 3) & ~3)) << 2) + 64;
}

/**
 * out (ceil(O/4)·4 × ldo floats at `out`; columns [0, rows·outW)) += W · col. W: O × Kc row-major at `w`; x: [C][H][W]
 * (byte offset); output position (oh, ow) of this call reads rows oh·sH + kh·dH − pT and columns ow·sW + kw·dW − pL
 * (zero outside [0, H) × [0, W)). ldo ≥ rows·outW rounded up to 8: whole 4 × 8 tiles are stored, so the padding
 * rows and columns of `out` receive values the caller ignores. x must be readable one float past its end (the
 * stride-2 gather loads 16 floats for 8 taps).
 */
export function convGemm(
  x: i32, H: i32, W: i32, C: i32, kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32,
  rows: i32, outW: i32, w: i32, O: i32, out: i32, ldo: i32, scratch: i32,
): void {
  const P = rows * outW;
  const K = kH * kW;
  const Kc = C * K;
  const pb = scratch;
  const pa = scratch + ((panelFloats(min(KC, Kc)) * ((min(CG_NB, P) + 7) >> 3)) << 2);
  for (let j0 = 0; j0 < P; j0 += CG_NB) {
    const nb = min(CG_NB, P - j0);
    const panels = (nb + 7) >> 3;
    for (let pc = 0; pc < Kc; pc += KC) {
      const kc = min(KC, Kc - pc);
      // Panel by panel when most panels lie in one output row, else tap by tap.
      if ((outW & 7) == 0 || outW >= 64) gatherPanels(x, H, W, K, kH, kW, sH, sW, dH, dW, pT, pL, outW, P, j0, panels, pc, kc, pb);
      else gatherTaps(x, H, W, K, kH, kW, sH, sW, dH, dW, pT, pL, outW, P, j0, panels, pc, kc, pb);
      for (let ic = 0; ic < O; ic += MC) {
        const mc = min(MC, O - ic);
        packA(w + ((ic * Kc + pc) << 2), mc, kc, Kc, 1, pa);
        for (let q = 0; q < panels; q++) {
          const bp = pb + ((q * panelFloats(kc)) << 2);
          const cp = out + ((ic * ldo + j0 + q * 8) << 2);
          for (let r = 0; r < mc; r += 4) {
            micro(kc, pa + ((r * kc) << 2), bp, cp + ((r * ldo) << 2), ldo, true);
          }
        }
      }
    }
  }
}

/** B panels ([kc][8] each, panelFloats(kc) apart) of col for positions j0 + [0, 8·panels) and taps [pc, pc + kc); positions ≥ P read 0. */
function gatherPanels(
  x: i32, H: i32, W: i32, K: i32, kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32,
  outW: i32, P: i32, j0: i32, panels: i32, pc: i32, kc: i32, pb: i32,
): void {
  const plane = H * W;
  const c0 = pc / K;
  const kk0 = pc - c0 * K;
  const kh0 = kk0 / kW;
  const kw0 = kk0 - kh0 * kW;
  const zero = f32x4.splat(0);
  for (let q = 0; q < panels; q++) {
    const jq = j0 + q * 8;
    const oh = jq / outW;
    const ow = jq - oh * outW;
    let dst = pb + ((q * panelFloats(kc)) << 2);
    let c = c0, kh = kh0, kw = kw0;
    if (ow + 8 <= outW) {
      // The panel's 8 positions lie in one output row: one input row per tap, columns iw0 + l·sW.
      const ihb = oh * sH - pT;
      const iwb = ow * sW - pL;
      for (let t = 0; t < kc; t++) {
        const ih = ihb + kh * dH;
        const iw0 = iwb + kw * dW;
        if (ih < 0 || ih >= H) {
          v128.store(dst, zero);
          v128.store(dst, zero, 16);
        } else {
          const src = x + ((c * plane + ih * W + iw0) << 2);
          if (iw0 >= 0 && iw0 + 7 * sW < W) {
            if (sW == 1) {
              v128.store(dst, v128.load(src));
              v128.store(dst, v128.load(src, 16), 16);
            } else if (sW == 2) {
              const v0 = v128.load(src), v1 = v128.load(src, 16), v2 = v128.load(src, 32), v3 = v128.load(src, 48);
              v128.store(dst, v128.shuffle<f32>(v0, v1, 0, 2, 4, 6));
              v128.store(dst, v128.shuffle<f32>(v2, v3, 0, 2, 4, 6), 16);
            } else {
              for (let l = 0; l < 8; l++) store<f32>(dst + (l << 2), load<f32>(src + ((l * sW) << 2)));
            }
          } else {
            for (let l = 0; l < 8; l++) {
              const iw = iw0 + l * sW;
              store<f32>(dst + (l << 2), iw >= 0 && iw < W ? load<f32>(src + ((l * sW) << 2)) : 0);
            }
          }
        }
        dst += 32;
        if (++kw == kW) {
          kw = 0;
          if (++kh == kH) {
            kh = 0;
            c++;
          }
        }
      }
    } else {
      // The panel wraps to the next output row, or runs past P: every lane on its own.
      for (let t = 0; t < kc; t++) {
        const base = x + ((c * plane) << 2);
        let lh = oh, lw = ow;
        for (let l = 0; l < 8; l++) {
          let v: f32 = 0;
          if (jq + l < P) {
            const ih = lh * sH - pT + kh * dH;
            const iw = lw * sW - pL + kw * dW;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = load<f32>(base + ((ih * W + iw) << 2));
          }
          store<f32>(dst + (l << 2), v);
          if (++lw == outW) {
            lw = 0;
            lh++;
          }
        }
        dst += 32;
        if (++kw == kW) {
          kw = 0;
          if (++kh == kH) {
            kh = 0;
            c++;
          }
        }
      }
    }
  }
}

/**
 * gatherPanels for any outW (panels may wrap to the next output row): tap by tap, each output row's positions in
 * three runs (left padding, inside, right padding), each position stored at its lane of its panel.
 */
function gatherTaps(
  x: i32, H: i32, W: i32, K: i32, kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32,
  outW: i32, P: i32, j0: i32, panels: i32, pc: i32, kc: i32, pb: i32,
): void {
  const plane = H * W;
  let c = pc / K;
  const kk0 = pc - c * K;
  let kh = kk0 / kW;
  let kw = kk0 - kh * kW;
  const nb = min(panels * 8, P - j0);
  const panelBytes = panelFloats(kc) << 2;
  const oh0 = j0 / outW;
  const ow0 = j0 - oh0 * outW;
  for (let t = 0; t < kc; t++) {
    const wOff = kw * dW - pL;
    // Columns ow with 0 ≤ ow·sW + wOff < W: [owLo, owHi).
    const owLo = wOff >= 0 ? 0 : min(outW, (-wOff + sW - 1) / sW);
    const owHi = max(owLo, min(outW, W - wOff <= 0 ? 0 : (W - wOff + sW - 1) / sW));
    const base = x + ((c * plane) << 2);
    const tap = pb + (t << 5);
    let j = 0;
    let oh = oh0, ow = ow0;
    while (j < nb) {
      const cnt = min(outW - ow, nb - j);
      const ih = oh * sH + kh * dH - pT;
      const end = ow + cnt;
      if (ih < 0 || ih >= H) {
        for (; ow < end; ow++, j++) store<f32>(tap + ((j >> 3) * panelBytes) + ((j & 7) << 2), 0);
      } else {
        const rowp = base + ((ih * W + wOff) << 2);
        const lo = min(max(ow, owLo), end);
        const hi = max(lo, min(end, owHi));
        for (; ow < lo; ow++, j++) store<f32>(tap + ((j >> 3) * panelBytes) + ((j & 7) << 2), 0);
        for (; ow < hi; ow++, j++) store<f32>(tap + ((j >> 3) * panelBytes) + ((j & 7) << 2), load<f32>(rowp + ((ow * sW) << 2)));
        for (; ow < end; ow++, j++) store<f32>(tap + ((j >> 3) * panelBytes) + ((j & 7) << 2), 0);
      }
      oh++;
      ow = 0;
    }
    for (; j < panels * 8; j++) store<f32>(tap + ((j >> 3) * panelBytes) + ((j & 7) << 2), 0);
    if (++kw == kW) {
      kw = 0;
      if (++kh == kH) {
        kh = 0;
        c++;
      }
    }
  }
}

/** 1 if the n floats at `p` are all finite, else 0: v − v is +0 for a finite v and NaN for ±inf and NaN, so the OR
 * of every difference's bits is zero exactly when all are finite (backend-cpu's allFinite, 4 lanes at a time). */
export function allFinite(p: i32, n: i32): i32 {
  let acc = i32x4.splat(0);
  const end4 = p + ((n & ~3) << 2);
  for (; p < end4; p += 16) {
    const v = v128.load(p);
    acc = v128.or(acc, f32x4.sub(v, v));
  }
  let bits = v128.any_true(acc) ? 1 : 0;
  const end = end4 + ((n & 3) << 2);
  for (; p < end; p += 4) {
    const v = load<f32>(p);
    if (v - v != 0) bits = 1;
  }
  return bits ? 0 : 1;
}
// Max pooling: its own file.
export * from './pool';
