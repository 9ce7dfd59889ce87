/**
 * Max pooling on the WebAssembly SIMD kernel of assembly/pool.ts, for planes [s0, s1) of the batch·channels planes.
 * Planes go through wasm memory in chunks of about 1 MiB, so a worker's memory stays small at any batch size.
 */
import type { Pool2dGeometry } from '@cnn/core';
import type { SimdKernels } from './loader.js';

/** The export of assembly/pool.ts (kept here so loader.ts, shared with other kernels, stays untouched). */
interface PoolExports {
  maxPool(
    x: number, H: number, W: number, count: number, rows: number, kh: number, outH: number, cols: number, kw: number, outW: number,
    out: number, scratch: number, jLo: number, jHi: number, sW: number, c0: number, dW: number,
  ): void;
  maxPoolBackward2x2(x: number, dy: number, dx: number, H: number, W: number, count: number, outH: number, outW: number): void;
}

/** The longest run of output columns whose windows are regular — cols[j·kw + u] = j·sW + c0 + u·dW, every one a
 * cell — so the kernel can load them as strided vectors; the rest it reads through the table. */
export function regularColumns(cols: Int32Array, kw: number, outW: number): { jLo: number; jHi: number; sW: number; c0: number; dW: number } {
  const none = { jLo: 0, jHi: 0, sW: 1, c0: 0, dW: 1 };
  const inside = (j: number) => {
    for (let u = 0; u < kw; u++) if (cols[j * kw + u] < 0) return false;
    return true;
  };
  let jLo = 0;
  while (jLo < outW && !inside(jLo)) jLo++;
  if (jLo + 1 >= outW || !inside(jLo + 1)) return none;
  const sW = cols[(jLo + 1) * kw] - cols[jLo * kw];
  const dW = kw > 1 ? cols[jLo * kw + 1] - cols[jLo * kw] : 1;
  const c0 = cols[jLo * kw] - jLo * sW;
  if (sW < 1 || dW < 1) return none;
  let jHi = jLo;
  for (; jHi < outW; jHi++) {
    let ok = true;
    for (let u = 0; u < kw && ok; u++) ok = cols[jHi * kw + u] === jHi * sW + c0 + u * dW;
    if (!ok) break;
  }
  return { jLo, jHi, sW, c0, dW };
}

const CHUNK_FLOATS = 1 << 18;

export function maxPoolSimd(s: SimdKernels, x: Float32Array, geo: Pool2dGeometry, s0: number, s1: number, out: Float32Array): void {
  const { inH: H, inW: W, outH, outW, windowH: kh, windowW: kw } = geo;
  const inPlane = H * W;
  const outPlane = outH * outW;
  const chunk = Math.max(1, Math.min(s1 - s0, Math.floor(CHUNK_FLOATS / Math.max(1, inPlane))));
  s.reset();
  const pRows = s.alloc(outH * kh);
  const pCols = s.alloc(outW * kw);
  // 8 floats of slack: stride-2 loads read up to one float past a row's last cell.
  const pX = s.alloc(chunk * inPlane + 8);
  const pOut = s.alloc(chunk * outPlane);
  const pScratch = s.alloc(H * (Math.ceil(outW / 4) * 4));
  const mem = s.commit();
  new Int32Array(mem.buffer, pRows, outH * kh).set(geo.rows);
  new Int32Array(mem.buffer, pCols, outW * kw).set(geo.cols);
  const k = s.k as unknown as PoolExports;
  const reg = regularColumns(geo.cols, kw, outW);
  for (let a = s0; a < s1; a += chunk) {
    const n = Math.min(chunk, s1 - a);
    mem.set(x.subarray(a * inPlane, (a + n) * inPlane), pX / 4);
    k.maxPool(pX, H, W, n, pRows, kh, outH, pCols, kw, outW, pOut, pScratch, reg.jLo, reg.jHi, reg.sW, reg.c0, reg.dW);
    out.set(mem.subarray(pOut / 4, pOut / 4 + n * outPlane), a * outPlane);
  }
}

/** Max pooling whose windows are exactly rows 2i, 2i + 1 × columns 2j, 2j + 1 (2×2 stride 2, no padding, floor
 * mode): the case maxPoolBackward2x2 computes. Such windows never overlap, so each cell gets at most one dy. */
export function isMaxPool2x2(geo: Pool2dGeometry): boolean {
  if (geo.mode !== 'max' || geo.windowH !== 2 || geo.windowW !== 2) return false;
  for (let i = 0; i < geo.outH * 2; i++) if (geo.rows[i] !== i) return false;
  for (let j = 0; j < geo.outW * 2; j++) if (geo.cols[j] !== j) return false;
  return 2 * geo.outH <= geo.inH && 2 * geo.outW <= geo.inW;
}

/** ∂x of a max pooling isMaxPool2x2 admits, planes [s0, s1), in chunks of about 1 MiB of x like maxPoolSimd. */
export function maxPoolBackward2x2Simd(
  s: SimdKernels, dy: Float32Array, x: Float32Array, geo: Pool2dGeometry, s0: number, s1: number, out: Float32Array,
): void {
  const { inH: H, inW: W, outH, outW } = geo;
  const inPlane = H * W;
  const outPlane = outH * outW;
  const chunk = Math.max(1, Math.min(s1 - s0, Math.floor(CHUNK_FLOATS / Math.max(1, inPlane))));
  s.reset();
  const pX = s.alloc(chunk * inPlane);
  const pDy = s.alloc(chunk * outPlane);
  const pDx = s.alloc(chunk * inPlane);
  const mem = s.commit();
  const k = s.k as unknown as PoolExports;
  for (let a = s0; a < s1; a += chunk) {
    const n = Math.min(chunk, s1 - a);
    mem.set(x.subarray(a * inPlane, (a + n) * inPlane), pX / 4);
    mem.set(dy.subarray(a * outPlane, (a + n) * outPlane), pDy / 4);
    k.maxPoolBackward2x2(pX, pDy, pDx, H, W, n, outH, outW);
    out.set(mem.subarray(pDx / 4, pDx / 4 + n * inPlane), a * inPlane);
  }
}
