import { fail, fmt, shapeStr } from '../errors.js';
import { pair, positiveInt, type Pair } from './args.js';
import type { Conv2dGeometry } from './conv.js';

export interface ConvTranspose2dOptions {
  stride?: Pair;
  /** Zero padding removed from each side of the full output (PyTorch's `padding`; no 'same' / 'valid'). */
  padding?: Pair;
  /** Extra rows / columns added after the output (bottom / right); each must be < its stride or its dilation. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** PyTorch's transposed-conv output size: (in − 1)·S − 2P + D·(K − 1) + outputPadding + 1. */
export function convTransposeOutSize(inSize: number, k: number, s: number, p: number, d: number, outputPadding: number): number {
  return (inSize - 1) * s - 2 * p + d * (k - 1) + outputPadding + 1;
}

/**
 * A transposed conv of x [N, C, H, W] with weight [C, O/groups, kH, kW] is the input gradient of the conv2d that maps
 * its output [N, O, H', W'] back to [N, C, H, W] with that same weight (read in conv2d's layout [outChannels = C,
 * inChannels/groups = O/groups, kH, kW]) and the same stride, padding, dilation and groups. Returns that conv's
 * geometry, so the transposed conv is `conv2dBackwardInput(x, weight, geo)`, its input gradient `conv2d(dy, weight,
 * geo)` and its weight gradient `conv2dBackwardFilter(dy, x, geo)`: no kernel of its own. outputPadding only makes the
 * conv's input (H') taller than its output needs: those last rows are read by no window, so they get 0 (plus bias).
 * With outputPadding ≥ stride (allowed while < dilation) the conv could emit more than H rows; geo.outH = H keeps the
 * first H, which are the ones that see exactly the transposed conv's input.
 */
export function resolveConvTranspose2d(
  op: string,
  xShape: readonly number[],
  wShape: readonly number[],
  biasShape: readonly number[] | null,
  opts: ConvTranspose2dOptions,
): Conv2dGeometry {
  if (xShape.length !== 4) fail(op, `input must be 4-D [N, C, H, W], got shape ${shapeStr(xShape)}`);
  if (wShape.length !== 4) fail(op, `weight must be 4-D [inChannels, outChannels/groups, kH, kW], got shape ${shapeStr(wShape)}`);
  const [batch, inChannels, inH, inW] = xShape;
  const [wIn, outPerGroup, kH, kW] = wShape;
  if (kH < 1 || kW < 1) fail(op, `kernel size must be ≥ 1, got ${fmt([kH, kW])} (weight shape ${shapeStr(wShape)})`);
  const stride = pair(op, 'stride', opts.stride, 1, 1);
  if (typeof opts.padding === 'string') fail(op, `padding must be an integer or a pair of integers ≥ 0 ('same' and 'valid' are conv2d's only), got ${fmt(opts.padding)}`);
  const padding = pair(op, 'padding', opts.padding, 0, 0);
  const outputPadding = pair(op, 'outputPadding', opts.outputPadding, 0, 0);
  const dilation = pair(op, 'dilation', opts.dilation, 1, 1);
  const groups = positiveInt(op, 'groups', opts.groups, 1);
  for (const i of [0, 1]) {
    if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
      fail(op, `outputPadding must be smaller than either stride or dilation, got outputPadding ${fmt(outputPadding)} with stride ${fmt(stride)} and dilation ${fmt(dilation)}`);
    }
  }
  if (inChannels % groups !== 0) fail(op, `groups ${groups} must divide the input channels ${inChannels} (input shape ${shapeStr(xShape)})`);
  if (wIn !== inChannels) {
    fail(op, `channel mismatch: input shape ${shapeStr(xShape)} has ${inChannels} channels, but weight shape ${shapeStr(wShape)} expects ${wIn} (weight is [inChannels, outChannels/groups, kH, kW])`);
  }
  const outChannels = outPerGroup * groups;
  if (biasShape && (biasShape.length !== 1 || biasShape[0] !== outChannels)) {
    fail(op, `bias must have shape [${outChannels}] (outChannels/groups ${outPerGroup} × groups ${groups}), got ${shapeStr(biasShape)}`);
  }
  const outH = convTransposeOutSize(inH, kH, stride[0], padding[0], dilation[0], outputPadding[0]);
  const outW = convTransposeOutSize(inW, kW, stride[1], padding[1], dilation[1], outputPadding[1]);
  if (outH < 1 || outW < 1) {
    fail(op, `output size ${outH}×${outW} is too small: input ${inH}×${inW}, kernel ${kH}×${kW}, stride ${fmt(stride)}, padding ${fmt(padding)}, dilation ${fmt(dilation)}, outputPadding ${fmt(outputPadding)}`);
  }
  // The conv whose input gradient this is: input = the transposed conv's output, output = its input.
  return {
    batch, inChannels: outChannels, inH: outH, inW: outW, outChannels: inChannels, kH, kW,
    strideH: stride[0], strideW: stride[1], dilationH: dilation[0], dilationW: dilation[1],
    padTop: padding[0], padLeft: padding[1], outH: inH, outW: inW, groups,
    inChannelsPerGroup: outPerGroup, outChannelsPerGroup: inChannels / groups,
  };
}

/**
 * The outputPadding that makes a transposed conv produce `size` (nn.ConvTranspose*d's `output_size`): each size must
 * lie in [min, min + stride − 1] where min is the size with outputPadding 0, as PyTorch's `_output_padding` checks.
 */
export function outputPaddingFor(
  op: string,
  inSizes: readonly number[],
  size: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  padding: readonly number[],
  dilation: readonly number[],
): number[] {
  return size.map((want, i) => {
    const min = convTransposeOutSize(inSizes[i], kernel[i], stride[i], padding[i], dilation[i], 0);
    const max = min + stride[i] - 1;
    if (!Number.isInteger(want) || want < min || want > max) {
      fail(op, `outputSize ${fmt(size)} is not reachable: dimension ${i} must be in [${min}, ${max}] for input size ${fmt(inSizes)}, got ${fmt(want)}`);
    }
    return want - min;
  });
}
