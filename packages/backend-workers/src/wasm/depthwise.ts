/**
 * Depthwise conv2d forward (inChannelsPerGroup = 1) on the WebAssembly SIMD kernel of assembly/depthwise.ts, one part
 * (images [n0, n1) × output channels [o0, o1), o0 and o1 multiples of the channel multiplier) at a time. The part's
 * input channels are copied into wasm memory one image at a time, as the other conv drivers do.
 */
import type { Conv2dGeometry } from '@cnn/core';
import type { SimdKernels } from './loader.js';
import type { ConvRange } from './conv.js';
import type { EpilogueActivation } from '../kernels/conv-epilogue.js';

/** The export of assembly/depthwise.ts (kept here so loader.ts, shared with other kernels, stays untouched). */
interface DepthwiseExports {
  depthwise(
    x: number, H: number, W: number, w: number, bias: number, count: number, mult: number, kH: number, kW: number,
    sH: number, sW: number, dH: number, dW: number, pT: number, pL: number, outH: number, outW: number, out: number,
  ): void;
  epilogue(p: number, n: number, residual: number, op: number, p0: number, p1: number): void;
}

/** fusedConv2d's epilogue, when the kernel applies it in wasm memory before the copy out. */
export interface DepthwiseEpilogue {
  residual?: Float32Array | null;
  act?: EpilogueActivation | null;
}

/** The activations assembly/depthwise.ts `epilogue` computes: their op codes. */
const WASM_ACTS: Record<string, number> = { relu: 1, clamp: 2 };

/** Returns whether it applied `epi` too (it does for no activation, relu and clamp; else the caller must). */
export function depthwiseForwardSimd(
  s: SimdKernels, x: Float32Array, w: Float32Array, bias: Float32Array | null, geo: Conv2dGeometry, part: ConvRange, out: Float32Array,
  epi?: DepthwiseEpilogue,
): boolean {
  const { inChannels: C, inH, inW, outChannels: O, outH, outW, kH, kW } = geo;
  const mult = geo.outChannelsPerGroup;
  const K = kH * kW;
  const P = outH * outW;
  const plane = inH * inW;
  const Op = part.o1 - part.o0;
  const c0 = Math.floor(part.o0 / mult);
  const Cp = Math.ceil(part.o1 / mult) - c0;
  s.reset();
  // 8 floats of slack: the stride-2 loads read one float past a row's last tap.
  const pX = s.alloc(Cp * plane + 8);
  const pW = s.alloc(Op * K);
  const pB = s.alloc(Op);
  const pOut = s.alloc(Op * P + 4);
  const residual = epi?.residual ?? null;
  const act = epi?.act ?? null;
  const opCode = act ? (WASM_ACTS[act.op] ?? -1) : 0;
  const fuse = opCode >= 0 && (residual !== null || opCode > 0);
  const pRes = fuse && residual ? s.alloc(Op * P + 4) : 0;
  const mem = s.commit();
  const k = s.k as unknown as DepthwiseExports;
  mem.set(w.subarray(part.o0 * K, part.o1 * K), pW / 4);
  if (bias) mem.set(bias.subarray(part.o0, part.o1), pB / 4);
  mem.fill(0, pX / 4 + Cp * plane, pX / 4 + Cp * plane + 8);
  for (let n = part.n0; n < part.n1; n++) {
    mem.set(x.subarray((n * C + c0) * plane, (n * C + c0 + Cp) * plane), pX / 4);
    k.depthwise(pX, inH, inW, pW, bias ? pB : 0, Op, mult, kH, kW, geo.strideH, geo.strideW, geo.dilationH, geo.dilationW, geo.padTop, geo.padLeft, outH, outW, pOut);
    if (fuse) {
      if (residual) mem.set(residual.subarray((n * O + part.o0) * P, (n * O + part.o1) * P), pRes / 4);
      k.epilogue(pOut, Op * P, pRes, opCode, act?.params[0] ?? 0, act?.params[1] ?? 0);
    }
    out.set(mem.subarray(pOut / 4, pOut / 4 + Op * P), (n * O + part.o0) * P);
  }
  return fuse || (residual === null && act === null);
}
