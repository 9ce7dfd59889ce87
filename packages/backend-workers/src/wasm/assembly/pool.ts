// Max pooling over core's window tables (Pool2dGeometry), re-exported by kernels.ts. Separable: a max over each
// window's columns for every input row (scalar, through the cols table), then a max over each window's rows of
// those row maxima, 4 output columns per f32x4 step.
//
// The pick is backend-cpu's `v > best || v != v`, starting from -inf: a window holding NaN gives NaN, a window of only
// -inf (or of no cells at all) gives -inf. Maxima of maxima give the same value as the max over the whole window.

import { gather4 } from './simd-util';

/** backend-cpu's pick, 4 lanes at once: v where v > best or v is NaN. */
// @ts-ignore: decorator
@inline
function pick4(best: v128, v: v128): v128 {
  return v128.bitselect(v, best, v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
}

/**
 * Column maxima of one row: hrow[j] = max over the valid cols[j·kw + u] of row[c]. Columns [jLo, jHi) are regular
 * (cols[j·kw + u] = j·sW + c0 + u·dW, all inside the row) and run 4 per step; the rest go through the table.
 */
// @ts-ignore: decorator
@inline
function rowMax(row: i32, cols: i32, kw: i32, outW: i32, hrow: i32, jLo: i32, jHi: i32, sW: i32, c0: i32, dW: i32): void {
  let j = 0;
  for (; j < outW; j++) {
    if (j >= jLo && j + 4 <= jHi) {
      const ninf = f32x4.splat(-Infinity);
      for (; j + 4 <= jHi; j += 4) {
        let best = ninf;
        const p = row + ((j * sW + c0) << 2);
        for (let u = 0; u < kw; u++) best = pick4(best, gather4(p + ((u * dW) << 2), sW));
        v128.store(hrow + (j << 2), best);
      }
      if (j >= outW) break;
    }
    let best: f32 = -Infinity;
    const tab = cols + ((j * kw) << 2);
    for (let u = 0; u < kw; u++) {
      const c = load<i32>(tab + (u << 2));
      if (c < 0) continue;
      const v = load<f32>(row + (c << 2));
      best = select<f32>(v, best, v > best || v != v);
    }
    store<f32>(hrow + (j << 2), best);
  }
}

/**
 * `count` planes [H][W] at x → [outH][outW] at out. rows: outH·kh int32 input rows (< 0: none), cols: outW·kw
 * int32 input columns (< 0: none); scratch: H·outW4 floats, outW4 = outW rounded up to 4. [jLo, jHi), sW, c0, dW:
 * the regular output columns (see rowMax; jHi = jLo for none). x must have 8 readable floats past its last plane.
 */
export function maxPool(
  x: i32, H: i32, W: i32, count: i32, rows: i32, kh: i32, outH: i32, cols: i32, kw: i32, outW: i32, out: i32, scratch: i32,
  jLo: i32, jHi: i32, sW: i32, c0: i32, dW: i32,
): void {
  const outW4 = (outW + 3) & ~3;
  const ninf = f32x4.splat(-Infinity);
  for (let s = 0; s < count; s++) {
    const plane = x + ((s * H * W) << 2);
    for (let r = 0; r < H; r++) rowMax(plane + ((r * W) << 2), cols, kw, outW, scratch + ((r * outW4) << 2), jLo, jHi, sW, c0, dW);
    const op = out + ((s * outH * outW) << 2);
    for (let i = 0; i < outH; i++) {
      const tab = rows + ((i * kh) << 2);
      const dst = op + ((i * outW) << 2);
      let j = 0;
      for (; j + 4 <= outW; j += 4) {
        let best = ninf;
        for (let t = 0; t < kh; t++) {
          const r = load<i32>(tab + (t << 2));
          if (r < 0) continue;
          best = pick4(best, v128.load(scratch + ((r * outW4 + j) << 2)));
        }
        v128.store(dst + (j << 2), best);
      }
      for (; j < outW; j++) {
        let best: f32 = -Infinity;
        for (let t = 0; t < kh; t++) {
          const r = load<i32>(tab + (t << 2));
          if (r < 0) continue;
          const v = load<f32>(scratch + ((r * outW4 + j) << 2));
          best = select<f32>(v, best, v > best || v != v);
        }
        store<f32>(dst + (j << 2), best);
      }
    }
  }
}

/**
 * ∂x of 2×2 stride-2 max pooling whose windows all lie inside the plane (rows 2i, 2i + 1 and columns 2j, 2j + 1 for
 * i < outH, j < outW), `count` planes: [H][W] at x and dx, [outH][outW] at dy. Each dy goes to the cell backend-cpu's
 * argMaxInWindow picks — cells in order (0,0), (0,1), (1,0), (1,1), the first taken, then v where v > best or v is
 * NaN: the first of tied maxima, the last NaN, the first cell of an all -inf window — as dy + 0 (a -0 gradient lands as
 * +0); every other cell gets +0. 4 windows per f32x4 step: even lanes of a row's 8 floats are the left cells, odd
 * lanes the right ones. Cells outside every window (an odd last row or column) are zeroed too.
 */
export function maxPoolBackward2x2(x: i32, dy: i32, dx: i32, H: i32, W: i32, count: i32, outH: i32, outW: i32): void {
  const plane = (H * W) << 2;
  const row = W << 2;
  if (H != 2 * outH || W != 2 * outW) memory.fill(dx, 0, count * plane);
  const zero = f32x4.splat(0);
  const one = i32x4.splat(1), two = i32x4.splat(2), three = i32x4.splat(3);
  for (let s = 0; s < count; s++) {
    const xs = x + s * plane;
    const ds = dx + s * plane;
    const gs = dy + ((s * outH * outW) << 2);
    for (let i = 0; i < outH; i++) {
      const x0 = xs + 2 * i * row;
      const x1 = x0 + row;
      const d0 = ds + 2 * i * row;
      const d1 = d0 + row;
      const g = gs + ((i * outW) << 2);
      let j = 0;
      for (; j + 4 <= outW; j += 4) {
        const u0 = v128.load(x0 + (j << 3)), u1 = v128.load(x0 + (j << 3), 16);
        const l0 = v128.load(x1 + (j << 3)), l1 = v128.load(x1 + (j << 3), 16);
        let best = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6);
        let idx = i32x4.splat(0);
        let v = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
        let take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
        best = v128.bitselect(v, best, take);
        idx = v128.bitselect(one, idx, take);
        v = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6);
        take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
        best = v128.bitselect(v, best, take);
        idx = v128.bitselect(two, idx, take);
        v = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
        take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
        idx = v128.bitselect(three, idx, take);
        const gv = f32x4.add(v128.load(g + (j << 2)), zero);
        const m0 = v128.and(gv, i32x4.eq(idx, zero));
        const m1 = v128.and(gv, i32x4.eq(idx, one));
        const m2 = v128.and(gv, i32x4.eq(idx, two));
        const m3 = v128.and(gv, i32x4.eq(idx, three));
        v128.store(d0 + (j << 3), v128.shuffle<f32>(m0, m1, 0, 4, 1, 5));
        v128.store(d0 + (j << 3), v128.shuffle<f32>(m0, m1, 2, 6, 3, 7), 16);
        v128.store(d1 + (j << 3), v128.shuffle<f32>(m2, m3, 0, 4, 1, 5));
        v128.store(d1 + (j << 3), v128.shuffle<f32>(m2, m3, 2, 6, 3, 7), 16);
      }
      for (; j < outW; j++) {
        const p0 = x0 + (j << 3);
        const p1 = x1 + (j << 3);
        let best = load<f32>(p0);
        let at = 0;
        let v = load<f32>(p0, 4);
        if (v > best || v != v) { best = v; at = 1; }
        v = load<f32>(p1);
        if (v > best || v != v) { best = v; at = 2; }
        v = load<f32>(p1, 4);
        if (v > best || v != v) at = 3;
        const gv = load<f32>(g + (j << 2)) + 0;
        store<f32>(d0 + (j << 3), at == 0 ? gv : 0);
        store<f32>(d0 + (j << 3), at == 1 ? gv : 0, 4);
        store<f32>(d1 + (j << 3), at == 2 ? gv : 0);
        store<f32>(d1 + (j << 3), at == 3 ? gv : 0, 4);
      }
    }
  }
}
