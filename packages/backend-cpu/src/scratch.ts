/**
 * Grow-only scratch buffers reused across kernel calls. Safe because the backend is single-threaded and a kernel
 * finishes with its scratch before returning; never hand one of these to a caller.
 */
let col = new Float32Array(0);

/** The im2col / col2im column matrix. Contents are garbage on return. */
export function colScratch(size: number): Float32Array {
  if (col.length < size) col = new Float32Array(size);
  return col;
}

let f64 = new Float64Array(0);

/** A float64 accumulator, e.g. one image plane. Contents are garbage on return. */
export function f64Scratch(size: number): Float64Array {
  if (f64.length < size) f64 = new Float64Array(size);
  return f64;
}
