/**
 * ∂L/∂w of conv2d: each weight reduces over the N · outH rows (nb, oh) of dy, a row sum at a time. The rows are cut
 * into chunks that fit one invocation's loop budget (../split.ts), one partial sum per (chunk, weight), then summed:
 * a 3×3 filter over a 1031 × 1030 image is 69 chunks of 15 rows. When the group's output channels are a multiple of
 * 4, a 4-output-channel register tile runs instead (two variants below); an unpack pass writes [O, C/g, kH, kW].
 */
import type { Conv2dGeometry } from '@cnn/core';
import { Src } from '../codegen.js';
import { packChannels4, unpack4 } from '../pack.js';
import { chunking, sumChunks } from '../split.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function conv2dBackwardFilter(rt: GpuRuntime, x: GpuData, dy: GpuData, g: Conv2dGeometry, size: number): GpuData {
  if (g.outChannelsPerGroup % 4 === 0 && dy.size > 0 && x.size > 0) {
    const OW4 = Math.ceil(g.outW / 4);
    if (g.kW * g.batch * g.inChannels * g.inH * OW4 <= 1 << 22) return conv2dBackwardFilterRows4(rt, x, dy, g);
    return conv2dBackwardFilterPacked(rt, x, dy, g);
  }
  const rows = chunking(g.batch * g.outH, g.outW + 2);
  const s = new Src();
  const { chunk, kw, o, ci, ihOff } = weightCoords(s, g, rows.chunks > 1, size, 1);
  const iwOff = s.let('iwo', `${kw} * ${g.dilationW} - ${g.padLeft}`);
  s.add('let acc = 0;');
  const { nb, oh } = openRows(s, g, chunk, rows.perChunk, ihOff);
  s.add(`let xb = (${nb} * ${g.inChannels} + ${ci}) * ${g.inH * g.inW} + ih * ${g.inW}; let db = (${nb} * ${g.outChannels} + ${o}) * ${g.outH * g.outW} + ${oh} * ${g.outW};`);
  s.add('let row = 0;');
  s.add(`for (let ow = 0; ow < ${g.outW}; ow++) { let iw = ow * ${g.strideW} + ${iwOff}; if (iw >= 0 && iw < ${g.inW}) { row += DY[db + ow] * X[xb + iw]; } }`);
  s.add('acc += row; } } }');
  const partial = rt.run(s.kernel(['X', 'DY'], 'acc'), rows.chunks * size, [x, dy]);
  return sumChunks(rt, partial, rows.chunks, size, false);
}

/**
 * Decodes this invocation's weight: its chunk of dy rows (when the rows are chunked, `count` weights per chunk), its
 * output channel (or group of `tile` output channels), input channel and tap; `ihOff` is the tap's input-row offset.
 */
function weightCoords(s: Src, g: Conv2dGeometry, chunked: boolean, count: number, tile: 1 | 4) {
  const cpg = g.inChannelsPerGroup;
  const [chunk, w] = chunked ? s.divmod('i', count) : [s.zero(), 'i'];
  const [oc, khw] = s.divmod(w, g.kH * g.kW);
  const [kh, kw] = s.divmod(khw, g.kW, true);
  const [o, cl] = s.divmod(oc, cpg);
  const grp = g.groups === 1 ? s.zero() : s.divmod(o, g.outChannelsPerGroup / tile, true)[0];
  const ci = s.let('ci', `${grp} * ${cpg} + ${cl}`);
  const ihOff = s.let('iho', `${kh} * ${g.dilationH} - ${g.padTop}`);
  return { chunk, kw, o, ci, ihOff };
}

/**
 * Opens the loop over this invocation's rows of the reduction — rows [chunk·perChunk, (chunk + 1)·perChunk) of the
 * N · outH rows (nb, oh) — skipping rows whose input row ih is padding. The caller closes with '} } }'.
 */
function openRows(s: Src, g: Conv2dGeometry, chunk: string, perChunk: number, ihOff: string): { nb: string; oh: string } {
  s.add(`for (let t = 0; t < ${perChunk}; t++) { let rr = ${chunk} * ${perChunk} + t; if (rr < ${g.batch * g.outH}) {`);
  const [nb, oh] = s.divmod('rr', g.outH);
  s.add(`let ih = ${oh} * ${g.strideH} + ${ihOff}; if (ih >= 0 && ih < ${g.inH}) {`);
  return { nb, oh };
}

/**
 * The 1×4 tile: dy packed 4 output channels per texel ([N, O/4, outH·outW]); each invocation computes dw for 4 output
 * channels of one (input channel, kh, kw): every x fetch feeds 4 multiply-adds, every dy fetch brings 4 values.
 */
function conv2dBackwardFilterPacked(rt: GpuRuntime, x: GpuData, dy: GpuData, g: Conv2dGeometry): GpuData {
  const cpg = g.inChannelsPerGroup;
  const KHW = g.kH * g.kW;
  const O4 = g.outChannels / 4;
  const Pout = g.outH * g.outW;
  const n4 = O4 * cpg * KHW;
  const rows = chunking(g.batch * g.outH, g.outW + 2);
  const s = new Src();
  const { chunk, kw, o: o4, ci, ihOff } = weightCoords(s, g, rows.chunks > 1, n4, 4);
  const iwOff = s.let('iwo', `${kw} * ${g.dilationW} - ${g.padLeft}`);
  s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
  const { nb, oh } = openRows(s, g, chunk, rows.perChunk, ihOff);
  s.add(`let xb = (${nb} * ${g.inChannels} + ${ci}) * ${g.inH * g.inW} + ih * ${g.inW}; let db = (${nb} * ${O4} + ${o4}) * ${Pout} + ${oh} * ${g.outW};`);
  s.add('let r0 = 0; let r1 = 0; let r2 = 0; let r3 = 0;');
  s.add(`for (let ow = 0; ow < ${g.outW}; ow++) { let iw = ow * ${g.strideW} + ${iwOff}; if (iw >= 0 && iw < ${g.inW}) {`);
  s.add('let xv = X[xb + iw]; let dv = DYP[db + ow];');
  s.add('r0 += xv * dv[0]; r1 += xv * dv[1]; r2 += xv * dv[2]; r3 += xv * dv[3]; } }');
  s.add('a0 += r0; a1 += r1; a2 += r2; a3 += r3; } } }');
  const dyp = packChannels4(rt, dy, g.batch, g.outChannels, Pout); // texel (nb, o4, p) holds dy[nb, 4·o4 + 0..3, p]
  const partial = rt.using([dyp], () => rt.run(s.kernel(['X', 'DYP'], '[a0, a1, a2, a3]'), rows.chunks * n4, [x, dyp], 'float32', true));
  return unpack4(rt, sumChunks(rt, partial, rows.chunks, n4, true), 1, g.outChannels, cpg * KHW);
}

/**
 * The 4×4 step: the reduction runs over output pixels, 4 adjacent output columns at a time. x is copied once per
 * kernel column kw into XS (texel (kw, nb, c, ih, ow/4) holds x[nb, c, ih, (ow + j)·strideW + kw·dilationW - padLeft]
 * for j = 0..3, zero outside the image or past outW), and dy into DYW (texel (nb, o, oh, ow/4) holds dy[nb, o, oh,
 * ow + 0..3], zero past outW): each step is one XS fetch and four DYW fetches (the 4 output channels) for 16
 * multiply-adds, with row sums as in the 1×4 kernel.
 */
function conv2dBackwardFilterRows4(rt: GpuRuntime, x: GpuData, dy: GpuData, g: Conv2dGeometry): GpuData {
  const cpg = g.inChannelsPerGroup;
  const KHW = g.kH * g.kW;
  const O4 = g.outChannels / 4;
  const OW4 = Math.ceil(g.outW / 4);
  const NC = g.batch * g.inChannels;
  const plane = g.inH * OW4; // XS texels per (kw, nb, c)
  const n4 = O4 * cpg * KHW;
  const xsS = new Src();
  const [xr, xq] = xsS.divmod('i', OW4);
  const [xr2, xih] = xsS.divmod(xr, g.inH);
  const [xkw, xpl] = xsS.divmod(xr2, NC);
  const xb = xsS.let('xb', `${xpl} * ${g.inH * g.inW} + ${xih} * ${g.inW}`);
  for (let j = 0; j < 4; j++) {
    xsS.add(`let ow${j} = ${xq} * 4 + ${j}; let iw${j} = ow${j} * ${g.strideW} + ${xkw} * ${g.dilationW} - ${g.padLeft}; let v${j} = 0;`);
    xsS.add(`if (ow${j} < ${g.outW} && iw${j} >= 0 && iw${j} < ${g.inW}) { v${j} = X[${xb} + iw${j}]; }`);
  }
  const dwS = new Src();
  const [drow, dq] = dwS.divmod('i', OW4);
  for (let j = 0; j < 4; j++) {
    dwS.add(`let ow${j} = ${dq} * 4 + ${j}; let v${j} = 0;`);
    dwS.add(`if (ow${j} < ${g.outW}) { v${j} = DY[${drow} * ${g.outW} + ow${j}]; }`);
  }
  const rows = chunking(g.batch * g.outH, OW4 + 2);
  const s = new Src();
  const { chunk, kw, o: o4, ci, ihOff } = weightCoords(s, g, rows.chunks > 1, n4, 4);
  const xsb = s.let('xsb', `${kw} * ${NC * plane} + ${ci} * ${plane}`);
  const dyStep = g.outH * OW4; // DYW texels per (nb, o)
  s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
  const { nb, oh } = openRows(s, g, chunk, rows.perChunk, ihOff);
  s.add(`let xr = ${xsb} + ${nb} * ${g.inChannels * plane} + ih * ${OW4}; let dr = (${nb} * ${g.outChannels} + ${o4} * 4) * ${dyStep} + ${oh} * ${OW4};`);
  s.add('let r0 = 0; let r1 = 0; let r2 = 0; let r3 = 0;');
  s.add(`for (let q = 0; q < ${OW4}; q++) { let xs = XS[xr + q];`);
  for (let j = 0; j < 4; j++) {
    s.add(`let d${j} = DYW[dr + ${j * dyStep} + q]; r${j} += xs[0] * d${j}[0] + xs[1] * d${j}[1] + xs[2] * d${j}[2] + xs[3] * d${j}[3];`);
  }
  s.add('} a0 += r0; a1 += r1; a2 += r2; a3 += r3; } } }');
  const xs = rt.run(xsS.kernel(['X'], '[v0, v1, v2, v3]'), g.kW * NC * plane, [x], 'float32', true);
  const partial = rt.using([xs], () => {
    const dyw = rt.run(dwS.kernel(['DY'], '[v0, v1, v2, v3]'), g.batch * g.outChannels * g.outH * OW4, [dy], 'float32', true);
    return rt.using([dyw], () => rt.run(s.kernel(['XS', 'DYW'], '[a0, a1, a2, a3]'), rows.chunks * n4, [xs, dyw], 'float32', true));
  });
  return unpack4(rt, sumChunks(rt, partial, rows.chunks, n4, true), 1, g.outChannels, cpg * KHW);
}
