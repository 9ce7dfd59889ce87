// Small SIMD helpers shared by the kernel files (depthwise.ts, pool.ts).

/** x[p], x[p + s], x[p + 2s], x[p + 3s] (byte offset p, stride s floats). */
// @ts-ignore: decorator
@inline
export function gather4(p: i32, s: i32): v128 {
  if (s == 1) return v128.load(p);
  if (s == 2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  const sb = s << 2;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + sb));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * sb));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * sb));
}
