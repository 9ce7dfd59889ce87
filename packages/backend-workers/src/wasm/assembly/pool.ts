// Max pooling over core's window tables (Pool2dGeometry), re-exported by kernels.ts. Separable: a max over each
// window's columns for every input row (scalar, through the cols table), then a max over each window's rows of
// those row maxima, 4 output columns per f32x4 step.
//
// The pick is backend-cpu's `v > best || v != v`, starting from -inf: a window holding NaN gives NaN, a window of only
// -inf (or of no cells at all) gives -inf. Maxima of maxima give the same value as the max over the whole window.

/** x[p], x[p + s], x[p + 2s], x[p + 3s] (byte offset p, stride s floats). */
// @ts-ignore: decorator
@inline
function gather4(p: i32, s: i32): v128 {
  if (s == 1) return v128.load(p);
  if (s == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  const sb = s << 2;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + sb));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * sb));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * sb));
}

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
