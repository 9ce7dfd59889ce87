/**
 * Loads the WebAssembly SIMD kernels (src/wasm/assembly/kernels.ts, compiled into src/generated/simd-wasm.ts) and
 * manages their memory as a per-task arena: a kernel `reset()`s it, `alloc`s its regions, then `commit()`s, which
 * grows the memory once if needed and returns a fresh view (a wasm memory's buffer is replaced when it grows).
 */
import { RELAXED_SIMD_WASM_BASE64, SIMD_WASM_BASE64 } from '../generated/simd-wasm.js';

export interface SimdExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemmScratchBytes(m: number, n: number, k: number): number;
  gemm(m: number, n: number, k: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, ldc: number, accumulate: number, scratch: number): void;
  winoInput(xp: number, C: number, Hp: number, Wp: number, th0: number, nRows: number, tilesWp: number, V: number, Tpad: number): void;
  winoGemm(U: number, Opad: number, C: number, V: number, Tpad: number, M: number): void;
  winoOutput(M: number, Opad: number, Tpad: number, O: number, nRows: number, tilesWp: number, out: number, planeStride: number, bias: number): void;
  im2col(x: number, H: number, W: number, c0: number, count: number, kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, pT: number, pL: number, outH: number, outW: number, col: number): void;
  col2im(col: number, H: number, W: number, c0: number, count: number, kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, pT: number, pL: number, outH: number, outW: number, dx: number): void;
  winoFilter(w: number, so: number, sc: number, first: number, step: number, Op: number, C: number, U: number, Opad: number): void;
  allFinite(p: number, n: number): number;
  convGemmScratchBytes(O: number, Kc: number, P: number): number;
  convGemm(x: number, H: number, W: number, C: number, kH: number, kW: number, sH: number, sW: number, dH: number, dW: number, pT: number, pL: number, rows: number, outW: number, w: number, O: number, out: number, ldo: number, scratch: number): void;
  relaxedSimd(): number;
  copy2d(src: number, srcPlane: number, srcRow: number, dst: number, dstPlane: number, dstRow: number, planes: number, rows: number, cols: number): void;
}

export class SimdKernels {
  readonly k: SimdExports;
  private top: number;
  private readonly base: number;
  private view: Float32Array;

  constructor(exports: SimdExports) {
    this.k = exports;
    this.base = (exports.heapBase() + 63) & ~63;
    this.top = this.base;
    this.view = new Float32Array(exports.memory.buffer);
  }

  reset(): void {
    this.top = this.base;
  }

  /** A 64-byte aligned region of `floats` float32s; returns its byte offset. Valid until the next reset(). */
  alloc(floats: number): number {
    const p = this.top;
    this.top = (p + floats * 4 + 63) & ~63;
    return p;
  }

  allocBytes(bytes: number): number {
    return this.alloc(Math.ceil(bytes / 4));
  }

  /** Grows the memory to hold every region allocated since reset(); returns a float32 view of all of it. */
  commit(): Float32Array {
    const mem = this.k.memory;
    if (mem.buffer.byteLength < this.top) mem.grow(Math.ceil((this.top - mem.buffer.byteLength) / 65536));
    if (this.view.buffer !== mem.buffer || this.view.length * 4 !== mem.buffer.byteLength) this.view = new Float32Array(mem.buffer);
    return this.view;
  }
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// The smallest module using a v128 instruction: (func (result v128) i32.const 0 i8x16.splat).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether this engine runs WebAssembly 128-bit SIMD. */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Whether this engine runs relaxed SIMD (Chromium does; Node 20 with --experimental-wasm-relaxed-simd). */
export function relaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** Compiles and instantiates the kernels synchronously (fine in a worker; the module is a few KiB): the relaxed-SIMD
 * build (fused multiply-add in the GEMM micro-kernel) or the plain one. */
export function loadSimdKernels(relaxed = false): SimdKernels {
  const module = new WebAssembly.Module(decodeBase64(relaxed ? RELAXED_SIMD_WASM_BASE64 : SIMD_WASM_BASE64));
  const instance = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('wasm abort'); } } });
  return new SimdKernels(instance.exports as unknown as SimdExports);
}
