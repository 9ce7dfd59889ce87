/**
 * ∂L/∂x of conv2d as a transposed implicit GEMM: each input cell walks the kernel taps whose stride division is
 * exact, then the group's output channels. When the group's input channels are a multiple of 4, a 4-input-channel
 * register tile runs instead: the weights packed transposed into an RGBA texture (texel (c/4, oo, kh, kw) holds
 * w[grp·O/g + oo, 4·(c/4 % C/g/4) + 0..3, kh, kw]), every dy fetch feeding 4 multiply-adds (with O/g a multiple of 4,
 * dy is packed too for a 4×4 step); an unpack pass writes NCHW. More output channels than one invocation's loop
 * budget (../split.ts) holds are cut into equal chunks, whose partial sums are added after.
 */
import type { Conv2dGeometry } from '@cnn/core';
import { Src, sumLoop, sumLoop4, sumLoop4x4 } from '../codegen.js';
import { packChannels4, unpack4 } from '../pack.js';
import { evenChunking, sumChunks } from '../split.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function conv2dBackwardInput(rt: GpuRuntime, dy: GpuData, w: GpuData, g: Conv2dGeometry, size: number): GpuData {
  if (g.inChannelsPerGroup % 4 === 0 && dy.size > 0) return conv2dBackwardInputPacked(rt, dy, w, g);
  const cpg = g.inChannelsPerGroup;
  const opg = g.outChannelsPerGroup;
  const KHW = g.kH * g.kW;
  const split = evenChunking(opg, KHW); // output channels per invocation
  const cc = split.perChunk;
  const s = new Src();
  const [chunk, idx] = split.chunks === 1 ? ['', 'i'] : s.divmod('i', size);
  const [nbc, hw] = s.divmod(idx, g.inH * g.inW);
  const [ih, iw] = s.divmod(hw, g.inW);
  const [nb, ci] = s.divmod(nbc, g.inChannels);
  const [grp, cl] = g.groups === 1 ? [s.zero(), ci] : s.divmod(ci, cpg, true);
  const dyBase = s.let('db', `(${nb} * ${g.outChannels} + ${grp} * ${opg}${chunk ? ` + ${chunk} * ${cc}` : ''}) * ${g.outH * g.outW}`);
  const wBase = s.let('wb', `(${grp} * ${opg} * ${cpg} + ${cl}) * ${KHW}${chunk ? ` + ${chunk} * ${cc * cpg * KHW}` : ''}`);
  s.add('let acc = 0;');
  openBackwardInputTaps(s, g, ih, iw);
  s.add(`let dyo = ${dyBase} + oh * ${g.outW} + ow; let wo = ${wBase} + kh * ${g.kW} + kw; let part = 0;`);
  sumLoop(s, 'part', cc, (oo) => `DY[dyo + ${oo} * ${g.outH * g.outW}] * W[wo + ${oo} * ${cpg * KHW}]`);
  s.add('acc += part; } } } }');
  const partial = rt.run(s.kernel(['DY', 'W'], 'acc'), split.chunks * size, [dy, w]);
  return sumChunks(rt, partial, split.chunks, size, false);
}

/** Weights packed transposed, 4 input channels per texel: texel (c4, oo, khw). */
function packWeightsTransposed(rt: GpuRuntime, w: GpuData, g: Conv2dGeometry): GpuData {
  const cpg = g.inChannelsPerGroup;
  const opg = g.outChannelsPerGroup;
  const KHW = g.kH * g.kW;
  const ps = new Src();
  const [c4oo, khw] = ps.divmod('i', KHW);
  const [c4, oo] = ps.divmod(c4oo, opg);
  const [pg, pcl4] = g.groups === 1 ? [ps.zero(), c4] : ps.divmod(c4, cpg / 4, true);
  const pb = ps.let('pb', `((${pg} * ${opg} + ${oo}) * ${cpg} + ${pcl4} * 4) * ${KHW} + ${khw}`);
  return rt.run(ps.kernel(['W'], `[W[${pb}], W[${pb} + ${KHW}], W[${pb} + ${2 * KHW}], W[${pb} + ${3 * KHW}]]`), (g.inChannels / 4) * opg * KHW, [w], 'float32', true);
}

function conv2dBackwardInputPacked(rt: GpuRuntime, dy: GpuData, w: GpuData, g: Conv2dGeometry): GpuData {
  const opg = g.outChannelsPerGroup;
  const KHW = g.kH * g.kW;
  const C4 = g.inChannels / 4;
  const Pin = g.inH * g.inW;
  const Pout = g.outH * g.outW;
  const n4 = g.batch * C4 * Pin;
  // 4×4 step when dy can be packed 4 output channels per texel too; else a 1×4 step
  const dyPacked = opg % 4 === 0;
  const split = evenChunking(dyPacked ? opg / 4 : opg, KHW); // channel steps per invocation
  const cc = dyPacked ? 4 * split.perChunk : split.perChunk; // output channels per invocation
  const s = new Src();
  const [chunk, idx] = split.chunks === 1 ? ['', 'i'] : s.divmod('i', n4);
  const [nbc, hw] = s.divmod(idx, Pin);
  const [ih, iw] = s.divmod(hw, g.inW);
  const [nb, ci4] = s.divmod(nbc, C4);
  const grp = g.groups === 1 ? s.zero() : s.divmod(ci4, g.inChannelsPerGroup / 4, true)[0];
  const dyBase = s.let('db', `(${nb} * ${g.outChannels} + ${grp} * ${opg}${chunk ? ` + ${chunk} * ${cc}` : ''}) * ${Pout}`);
  const wBase = s.let('wb', `${ci4} * ${opg * KHW}${chunk ? ` + ${chunk} * ${cc * KHW}` : ''}`);
  s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
  openBackwardInputTaps(s, g, ih, iw);
  s.add(`let wo = ${wBase} + kh * ${g.kW} + kw;`);
  s.add('let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;');
  if (dyPacked) {
    const dyBase4 = s.let('db4', `(${nb} * ${g.outChannels / 4} + ${grp} * ${opg / 4}${chunk ? ` + ${chunk} * ${cc / 4}` : ''}) * ${Pout}`);
    s.add(`let dyo = ${dyBase4} + oh * ${g.outW} + ow;`);
    sumLoop4x4(s, ['s0', 's1', 's2', 's3'], cc / 4, (o4, sv, vs) =>
      `let ${sv} = DYP[dyo + ${o4} * ${Pout}]; ${vs.map((v, j) => `let ${v} = WP[wo + (${o4} * 4 + ${j}) * ${KHW}];`).join(' ')}`);
  } else {
    s.add(`let dyo = ${dyBase} + oh * ${g.outW} + ow;`);
    sumLoop4(s, ['s0', 's1', 's2', 's3'], cc, (o, sv, vv) => `let ${sv} = DY[dyo + ${o} * ${Pout}]; let ${vv} = WP[wo + ${o} * ${KHW}];`);
  }
  s.add('a0 += s0; a1 += s1; a2 += s2; a3 += s3; } } } }');
  const wp = packWeightsTransposed(rt, w, g);
  const partial = rt.using([wp], () => {
    if (!dyPacked) return rt.run(s.kernel(['DY', 'WP'], '[a0, a1, a2, a3]'), split.chunks * n4, [dy, wp], 'float32', true);
    const dyp = packChannels4(rt, dy, g.batch, g.outChannels, Pout);
    return rt.using([dyp], () => rt.run(s.kernel(['DYP', 'WP'], '[a0, a1, a2, a3]'), split.chunks * n4, [dyp, wp], 'float32', true));
  });
  return unpack4(rt, sumChunks(rt, partial, split.chunks, n4, true), g.batch, g.inChannels, Pin);
}

/**
 * Opens the loops over the kernel taps (kh, kw) that read input cell (ih, iw) in the forward pass of a strided,
 * dilated, padded conv, declaring the output position (oh, ow) each tap wrote. The caller closes with '} } } }'.
 * Stride division uses float floor with a half offset (integer division is inexact on some GL drivers).
 */
function openBackwardInputTaps(s: Src, g: Conv2dGeometry, ih: string, iw: string): void {
  const step = (out: string, t: string, stride: number) =>
    stride === 1 ? `let ${out} = ${t}; let ${out}ok = 1;` : `let ${out} = Math.floor((${t} + 0.5) / ${stride}); let ${out}ok = ${out} * ${stride} == ${t} ? 1 : 0;`;
  s.add(`for (let kh = 0; kh < ${g.kH}; kh++) { let th = ${ih} + ${g.padTop} - kh * ${g.dilationH}; ${step('oh', 'th', g.strideH)}`);
  s.add(`if (ohok > 0 && oh >= 0 && oh < ${g.outH}) {`);
  s.add(`for (let kw = 0; kw < ${g.kW}; kw++) { let tw = ${iw} + ${g.padLeft} - kw * ${g.dilationW}; ${step('ow', 'tw', g.strideW)}`);
  s.add(`if (owok > 0 && ow >= 0 && ow < ${g.outW}) {`);
}
