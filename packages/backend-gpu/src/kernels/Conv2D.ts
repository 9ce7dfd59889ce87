/**
 * Grouped, strided, dilated, zero-padded conv2d (NCHW). The plain kernel computes one output with a blocked sum over
 * the group's input channels per tap. When the group's output channels are a multiple of 4, an implicit GEMM with a
 * 4-channel register tile runs instead: weights packed into an RGBA texture (4 output channels per texel,
 * [O/4, C/g·kH·kW]), each invocation computes 4 output channels of one output pixel (every input fetch feeds 4
 * multiply-adds, every weight fetch brings 4 weights; with C/g a multiple of 4, x is packed too for a 4×4 step), and a
 * last pass unpacks into NCHW. More input channels than one invocation's loop budget (../split.ts) holds are cut into
 * equal chunks, whose partial sums are added after (the bias goes with the first).
 */
import type { Conv2dGeometry } from '@cnn/core';
import { Src, sumLoop, sumLoop4x4 } from '../codegen.js';
import { packChannels4, unpack4 } from '../pack.js';
import { evenChunking, sumChunks } from '../split.js';
import type { GpuData, GpuRuntime, KernelArg } from '../runtime.js';

export function conv2d(rt: GpuRuntime, x: GpuData, w: GpuData, bias: GpuData | null, g: Conv2dGeometry, size: number): GpuData {
  if (g.outChannelsPerGroup % 4 === 0) return conv2dPacked(rt, x, w, bias, g);
  const cpg = g.inChannelsPerGroup;
  const KHW = g.kH * g.kW;
  const split = evenChunking(cpg, KHW); // input channels per invocation
  const cc = split.perChunk;
  const s = new Src();
  const [chunk, idx] = split.chunks === 1 ? ['', 'i'] : s.divmod('i', size);
  const [nbo, ohw] = s.divmod(idx, g.outH * g.outW);
  const [oh, ow] = s.divmod(ohw, g.outW);
  const [nb, o] = s.divmod(nbo, g.outChannels);
  const grp = g.groups === 1 ? s.zero() : s.divmod(o, g.outChannelsPerGroup, true)[0];
  const xBase = s.let('xb', `(${nb} * ${g.inChannels} + ${grp} * ${cpg}${chunk ? ` + ${chunk} * ${cc}` : ''}) * ${g.inH * g.inW}`);
  const wBase = s.let('wb', `${o} * ${cpg * KHW}${chunk ? ` + ${chunk} * ${cc * KHW}` : ''}`);
  const ih0 = s.let('ih0', `${oh} * ${g.strideH} - ${g.padTop}`);
  const iw0 = s.let('iw0', `${ow} * ${g.strideW} - ${g.padLeft}`);
  s.add('let acc = 0;');
  if (bias) s.add(chunk ? `if (${chunk} == 0) { acc = bias[${o}]; }` : `acc = bias[${o}];`);
  s.add(`for (let kh = 0; kh < ${g.kH}; kh++) { let ih = ${ih0} + kh * ${g.dilationH}; if (ih >= 0 && ih < ${g.inH}) {`);
  s.add(`for (let kw = 0; kw < ${g.kW}; kw++) { let iw = ${iw0} + kw * ${g.dilationW}; if (iw >= 0 && iw < ${g.inW}) {`);
  s.add(`let xo = ${xBase} + ih * ${g.inW} + iw; let wo = ${wBase} + kh * ${g.kW} + kw; let part = 0;`);
  sumLoop(s, 'part', cc, (c) => `X[xo + ${c} * ${g.inH * g.inW}] * W[wo + ${c} * ${KHW}]`);
  s.add('acc += part; } } } }');
  const args: KernelArg[] = bias ? [x, w, bias] : [x, w];
  const partial = rt.run(s.kernel(bias ? ['X', 'W', 'bias'] : ['X', 'W'], 'acc'), split.chunks * size, args);
  return sumChunks(rt, partial, split.chunks, size, false);
}

/** Weights packed 4 output channels per texel: texel og·K + kk holds w[4·og + 0..3, kk]. */
function packWeights(rt: GpuRuntime, w: GpuData, g: Conv2dGeometry): GpuData {
  const K = g.inChannelsPerGroup * g.kH * g.kW;
  const ps = new Src();
  const [og, kk] = ps.divmod('i', K);
  const wb = ps.let('wb', `${og} * ${4 * K} + ${kk}`);
  return rt.run(ps.kernel(['W'], `[W[${wb}], W[${wb} + ${K}], W[${wb} + ${2 * K}], W[${wb} + ${3 * K}]]`), (g.outChannels / 4) * K, [w], 'float32', true);
}

function conv2dPacked(rt: GpuRuntime, x: GpuData, w: GpuData, bias: GpuData | null, g: Conv2dGeometry): GpuData {
  const cpg = g.inChannelsPerGroup;
  const KHW = g.kH * g.kW;
  const K = cpg * KHW;
  const O4 = g.outChannels / 4;
  const P = g.outH * g.outW;
  const Pin = g.inH * g.inW;
  const n4 = g.batch * O4 * P;
  // 4×4 step when x can be packed 4 input channels per texel too; else a 1×4 step
  const xPacked = cpg % 4 === 0;
  const split = evenChunking(xPacked ? cpg / 4 : cpg, KHW); // channel steps per invocation
  const cc = xPacked ? 4 * split.perChunk : split.perChunk; // input channels per invocation
  const s = new Src();
  const [chunk, idx] = split.chunks === 1 ? ['', 'i'] : s.divmod('i', n4);
  const [nbo, ohw] = s.divmod(idx, P);
  const [oh, ow] = s.divmod(ohw, g.outW);
  const [nb, o4] = s.divmod(nbo, O4);
  const grp = g.groups === 1 ? s.zero() : s.divmod(o4, g.outChannelsPerGroup / 4, true)[0];
  const xBase = s.let('xb', `(${nb} * ${g.inChannels} + ${grp} * ${cpg}${chunk ? ` + ${chunk} * ${cc}` : ''}) * ${Pin}`);
  const wBase = s.let('wb', `${o4} * ${K}${chunk ? ` + ${chunk} * ${cc * KHW}` : ''}`);
  const ih0 = s.let('ih0', `${oh} * ${g.strideH} - ${g.padTop}`);
  const iw0 = s.let('iw0', `${ow} * ${g.strideW} - ${g.padLeft}`);
  s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
  const initBias = `a0 = B[${o4} * 4]; a1 = B[${o4} * 4 + 1]; a2 = B[${o4} * 4 + 2]; a3 = B[${o4} * 4 + 3];`;
  if (bias) s.add(chunk ? `if (${chunk} == 0) { ${initBias} }` : initBias);
  s.add(`for (let kh = 0; kh < ${g.kH}; kh++) { let ih = ${ih0} + kh * ${g.dilationH}; if (ih >= 0 && ih < ${g.inH}) {`);
  s.add(`for (let kw = 0; kw < ${g.kW}; kw++) { let iw = ${iw0} + kw * ${g.dilationW}; if (iw >= 0 && iw < ${g.inW}) {`);
  s.add(`let wo = ${wBase} + kh * ${g.kW} + kw;`);
  s.add('let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;');
  if (xPacked) {
    const xBase4 = s.let('xb4', `(${nb} * ${g.inChannels / 4} + ${grp} * ${cpg / 4}${chunk ? ` + ${chunk} * ${cc / 4}` : ''}) * ${Pin}`);
    s.add(`let xo = ${xBase4} + ih * ${g.inW} + iw;`);
    sumLoop4x4(s, ['s0', 's1', 's2', 's3'], cc / 4, (c4, sv, vs) =>
      `let ${sv} = XP[xo + ${c4} * ${Pin}]; ${vs.map((v, j) => `let ${v} = WP[wo + (${c4} * 4 + ${j}) * ${KHW}];`).join(' ')}`);
  } else {
    s.add(`let xo = ${xBase} + ih * ${g.inW} + iw;`);
    s.add(`for (let c = 0; c < ${cc}; c++) { let xv = X[xo + c * ${Pin}]; let wv = WP[wo + c * ${KHW}];`);
    s.add('s0 += xv * wv[0]; s1 += xv * wv[1]; s2 += xv * wv[2]; s3 += xv * wv[3]; }');
  }
  s.add('a0 += s0; a1 += s1; a2 += s2; a3 += s3; } } } }');
  const wp = packWeights(rt, w, g);
  const partial = rt.using([wp], () => {
    const xp = xPacked ? packChannels4(rt, x, g.batch, g.inChannels, Pin) : null;
    return rt.using([xp], () => {
      const args: KernelArg[] = [xp ?? x, wp, ...(bias ? [bias] : [])];
      return rt.run(s.kernel([xPacked ? 'XP' : 'X', 'WP', ...(bias ? ['B'] : [])], '[a0, a1, a2, a3]'), split.chunks * n4, args, 'float32', true);
    });
  });
  return unpack4(rt, sumChunks(rt, partial, split.chunks, n4, true), g.batch, g.outChannels, P);
}
