import { fail, fmt, shapeStr } from '../errors.js';
import { oneOf, pair, positiveInt, type Pair } from './args.js';
import type { PadMode } from './gather.js';

export type ConvPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export const CONV_PADDING_MODES: readonly ConvPaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

export interface Conv2dOptions {
  stride?: Pair;
  /** Number, pair, or 'same' (stride 1 only, as in PyTorch) / 'valid' (no padding). */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  paddingMode?: ConvPaddingMode;
}

/** Everything a conv kernel needs, resolved to plain numbers. Padding here is always zero padding. */
export interface Conv2dGeometry {
  batch: number;
  inChannels: number;
  inH: number;
  inW: number;
  outChannels: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  /** Zero padding before the first row / column; padding after is implied by outH / outW. */
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  groups: number;
  inChannelsPerGroup: number;
  outChannelsPerGroup: number;
}

export interface ResolvedConv2d {
  geo: Conv2dGeometry;
  /** For reflect / replicate / circular modes: explicit padding that core applies before a zero-padding conv. */
  prePad: { mode: PadMode; top: number; bottom: number; left: number; right: number } | null;
}

/** PyTorch's output-size rule for conv and pooling windows. */
export function convOutSize(inSize: number, k: number, s: number, d: number, padBefore: number, padAfter: number): number {
  return Math.floor((inSize + padBefore + padAfter - d * (k - 1) - 1) / s) + 1;
}

/** 'same' padding as torch.nn.Conv2d splits it: the extra cell, if any, goes after (bottom / right). */
export function samePadding(k: number, d: number): [number, number] {
  const total = d * (k - 1);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export function resolveConv2d(
  op: string,
  xShape: readonly number[],
  wShape: readonly number[],
  biasShape: readonly number[] | null,
  opts: Conv2dOptions,
): ResolvedConv2d {
  if (xShape.length !== 4) fail(op, `input must be 4-D [N, C, H, W], got shape ${shapeStr(xShape)}`);
  if (wShape.length !== 4) fail(op, `weight must be 4-D [outChannels, inChannels/groups, kH, kW], got shape ${shapeStr(wShape)}`);
  const [batch, inChannels, inH, inW] = xShape;
  const [outChannels, cPerGroup, kH, kW] = wShape;
  if (kH < 1 || kW < 1) fail(op, `kernel size must be ≥ 1, got ${fmt([kH, kW])} (weight shape ${shapeStr(wShape)})`);
  const stride = pair(op, 'stride', opts.stride, 1, 1);
  const dilation = pair(op, 'dilation', opts.dilation, 1, 1);
  const groups = positiveInt(op, 'groups', opts.groups, 1);
  const paddingMode = oneOf(op, 'paddingMode', opts.paddingMode, CONV_PADDING_MODES, 'zeros');
  if (inChannels % groups !== 0) fail(op, `groups ${groups} must divide the input channels ${inChannels} (input shape ${shapeStr(xShape)})`);
  if (outChannels % groups !== 0) fail(op, `groups ${groups} must divide the output channels ${outChannels} (weight shape ${shapeStr(wShape)})`);
  if (cPerGroup * groups !== inChannels) {
    fail(op, `channel mismatch: input shape ${shapeStr(xShape)} has ${inChannels} channels, but weight shape ${shapeStr(wShape)} with groups ${groups} expects ${cPerGroup * groups}`);
  }
  if (biasShape && (biasShape.length !== 1 || biasShape[0] !== outChannels)) {
    fail(op, `bias must have shape [${outChannels}], got ${shapeStr(biasShape)}`);
  }

  let padH: [number, number];
  let padW: [number, number];
  const padding = opts.padding ?? 0;
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) fail(op, `padding 'same' needs stride 1, got stride ${fmt(stride)}`);
    padH = samePadding(kH, dilation[0]);
    padW = samePadding(kW, dilation[1]);
  } else if (padding === 'valid') {
    padH = [0, 0];
    padW = [0, 0];
  } else if (typeof padding === 'string') {
    fail(op, `padding must be a number, a pair, 'same' or 'valid', got ${fmt(padding)}`);
  } else {
    const p = pair(op, 'padding', padding, 0, 0);
    padH = [p[0], p[0]];
    padW = [p[1], p[1]];
  }
  const paddedH = inH + padH[0] + padH[1];
  const paddedW = inW + padW[0] + padW[1];
  const effKH = dilation[0] * (kH - 1) + 1;
  const effKW = dilation[1] * (kW - 1) + 1;
  if (effKH > paddedH || effKW > paddedW) {
    fail(op, `kernel ${kH}×${kW} with dilation ${fmt(dilation)} spans ${effKH}×${effKW}, larger than the padded input ${paddedH}×${paddedW} (input shape ${shapeStr(xShape)})`);
  }
  const outH = convOutSize(inH, kH, stride[0], dilation[0], padH[0], padH[1]);
  const outW = convOutSize(inW, kW, stride[1], dilation[1], padW[0], padW[1]);

  const zeroPad = paddingMode === 'zeros';
  const hasPad = padH[0] + padH[1] + padW[0] + padW[1] > 0;
  if (!zeroPad && paddingMode === 'reflect' && (Math.max(...padH) >= inH || Math.max(...padW) >= inW)) {
    fail(op, `reflect padding ${fmt([...padH, ...padW])} must be < the input size ${inH}×${inW}`);
  }
  if (!zeroPad && paddingMode === 'circular' && (Math.max(...padH) > inH || Math.max(...padW) > inW)) {
    fail(op, `circular padding ${fmt([...padH, ...padW])} must be ≤ the input size ${inH}×${inW}`);
  }
  const geo: Conv2dGeometry = {
    batch, inChannels, inH: zeroPad ? inH : paddedH, inW: zeroPad ? inW : paddedW, outChannels, kH, kW,
    strideH: stride[0], strideW: stride[1], dilationH: dilation[0], dilationW: dilation[1],
    padTop: zeroPad ? padH[0] : 0, padLeft: zeroPad ? padW[0] : 0, outH, outW, groups,
    inChannelsPerGroup: inChannels / groups, outChannelsPerGroup: outChannels / groups,
  };
  const prePad = !zeroPad && hasPad ? { mode: paddingMode as PadMode, top: padH[0], bottom: padH[1], left: padW[0], right: padW[1] } : null;
  return { geo, prePad };
}

/**
 * The input gradient of a stride-1 conv is itself a stride-1 conv, of dy: `dx = conv(dy, w')` where w' is w rotated
 * 180° in both spatial dims with its channel axes swapped within each group (w'[c][o] = w[o][c] flipped), with the
 * same dilation and leading padding `dilation·(k − 1) − pad` (from dx[ih] = Σ_kh dy[ih + pad − kh·dilation]·w[kh]).
 * Returns that conv's geometry — input dy [N, O, outH, outW], output dx [N, C, inH, inW] — so a backend runs its
 * forward conv (Winograd included) for the input gradient without deriving it. The padding may be negative (a conv
 * padded by more than its reach); the output size fixes the padding after. Null for stride > 1, whose input gradient
 * would read a dilated dy.
 */
export function backwardInputAsConv(geo: Conv2dGeometry): Conv2dGeometry | null {
  if (geo.strideH !== 1 || geo.strideW !== 1) return null;
  return {
    batch: geo.batch, inChannels: geo.outChannels, inH: geo.outH, inW: geo.outW, outChannels: geo.inChannels,
    kH: geo.kH, kW: geo.kW, strideH: 1, strideW: 1, dilationH: geo.dilationH, dilationW: geo.dilationW,
    padTop: geo.dilationH * (geo.kH - 1) - geo.padTop, padLeft: geo.dilationW * (geo.kW - 1) - geo.padLeft,
    outH: geo.inH, outW: geo.inW, groups: geo.groups,
    inChannelsPerGroup: geo.outChannelsPerGroup, outChannelsPerGroup: geo.inChannelsPerGroup,
  };
}
