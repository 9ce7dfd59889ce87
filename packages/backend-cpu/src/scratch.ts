/**
 * Grow-only scratch buffers reused across kernel calls. Safe because the backend is single-threaded and a kernel
 * finishes with its scratch before returning; never hand one of these to a caller. Each slot is owned by one use so
 * that a kernel can hold several at once.
 */
export type F32Slot = 'col' | 'winogradV' | 'winogradM' | 'winogradU';

const f32 = new Map<F32Slot, Float32Array>();

/** A float32 buffer of at least `size` elements. Contents are garbage on return. */
export function f32Scratch(slot: F32Slot, size: number): Float32Array {
  let buf = f32.get(slot);
  if (!buf || buf.length < size) {
    buf = new Float32Array(size);
    f32.set(slot, buf);
  }
  return buf;
}

/** The im2col / col2im column matrix. */
export function colScratch(size: number): Float32Array {
  return f32Scratch('col', size);
}

let f64 = new Float64Array(0);

/** A float64 accumulator, e.g. one image plane. Contents are garbage on return. */
export function f64Scratch(size: number): Float64Array {
  if (f64.length < size) f64 = new Float64Array(size);
  return f64;
}
