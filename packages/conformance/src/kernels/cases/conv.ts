/**
 * conv2d, conv2dBackwardInput and conv2dBackwardFilter on geometries from core's resolveConv2d: Winograd-eligible
 * 3×3 (≥ 8 channels, stride 1), strided, dilated, grouped, depthwise, 1×1, batch 1 (channel-split parts on the
 * workers), asymmetric kernels, strides and pads, 'same', reflect/replicate/circular (the kernel sees the padded
 * input, as core pads first), channel counts that are multiples of 4 (tiled gpu paths), empty and large inputs, and
 * the shapes of the former workers and gpu harnesses.
 *
 * NaN/±inf cases check the contract's rule for sums: outputs are what the direct sum gives, so an algorithm that
 * mixes windows (Winograd) must not spread a non-finite input to outputs whose windows are finite.
 */
import { CnnError, kernelOutput, resolveConv2d, type Conv2dGeometry, type Conv2dOptions } from '@cnn/core';
import type { CaseGenerator, KernelCase } from '../types.js';
import { shapeText } from '../types.js';
import { UNIFORM, fanIn, type CaseRandom, type Fill } from '../values.js';

type Shape4 = [number, number, number, number];

interface ConvSpec {
  x: Shape4;
  w: Shape4;
  opts: Conv2dOptions;
  bias: boolean;
  note?: string;
  /** NaN and ±inf among the data operand (x, or dy for the input gradient). */
  special?: boolean;
}

function describe(s: ConvSpec, geo: Conv2dGeometry): string {
  const opts = Object.entries(s.opts).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
  return `x ${shapeText(s.x)} w ${shapeText(s.w)}${opts ? ` ${opts}` : ''} → [${geo.batch},${geo.outChannels},${geo.outH},${geo.outW}]${s.note ? ` (${s.note})` : ''}`;
}

/** The three conv kernels of one geometry. */
function convCases(s: ConvSpec): KernelCase[] {
  const { geo } = resolveConv2d('conv2d', s.x, s.w, s.bias ? [s.w[0]] : null, s.opts);
  // Core applies a non-zero padding mode with `gather` first: the kernel sees the padded input.
  const xShape = [geo.batch, geo.inChannels, geo.inH, geo.inW];
  const yShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
  const text = `${describe(s, geo)}${s.special ? ' with NaN/±inf' : ''}`;
  const data: Fill = s.special ? { kind: 'special', rate: 0.03 } : UNIFORM;
  // Each kernel's second operand is scaled by its sum's length (see fanIn).
  const weights = fanIn(geo.inChannelsPerGroup * geo.kH * geo.kW);
  return [
    {
      name: `conv2d ${text}${s.bias ? ' bias' : ''}`,
      kernel: 'conv2d',
      inputs: [
        { shape: xShape, dtype: 'float32', fill: data },
        { shape: s.w, dtype: 'float32', fill: weights },
        ...(s.bias ? [{ shape: [s.w[0]], dtype: 'float32' as const, fill: UNIFORM }] : []),
      ],
      output: kernelOutput.conv2d(geo),
      call: (be, [x, w, bias]) => be.conv2d(x, w, bias ?? null, geo),
    },
    {
      name: `conv2dBackwardInput ${text}`,
      kernel: 'conv2dBackwardInput',
      inputs: [{ shape: yShape, dtype: 'float32', fill: data }, { shape: s.w, dtype: 'float32', fill: fanIn(geo.outChannelsPerGroup * geo.kH * geo.kW) }],
      output: kernelOutput.conv2dBackwardInput(geo),
      call: (be, [dy, w]) => be.conv2dBackwardInput(dy, w, geo),
    },
    {
      name: `conv2dBackwardFilter ${text}`,
      kernel: 'conv2dBackwardFilter',
      inputs: [{ shape: xShape, dtype: 'float32', fill: data }, { shape: yShape, dtype: 'float32', fill: fanIn(geo.batch * geo.outH * geo.outW) }],
      output: kernelOutput.conv2dBackwardFilter(geo),
      call: (be, [x, dy]) => be.conv2dBackwardFilter(x, dy, geo),
    },
  ];
}

/** Shapes the former hand-written harnesses of the workers (Winograd, channel splits) and gpu (tiled) packages ran. */
const HARNESS: ConvSpec[] = [
  { x: [2, 8, 9, 11], w: [12, 8, 3, 3], opts: { padding: 1 }, bias: true, note: 'winograd, batch 2' },
  { x: [1, 16, 14, 10], w: [16, 16, 3, 3], opts: { padding: 0 }, bias: true, note: 'winograd, batch 1 channel split' },
  { x: [3, 9, 7, 5], w: [10, 9, 3, 3], opts: { padding: 2 }, bias: false, note: 'winograd, odd output' },
  { x: [4, 32, 16, 16], w: [64, 32, 3, 3], opts: { padding: 1 }, bias: true, note: 'winograd, W1-like' },
  { x: [4, 1, 28, 28], w: [32, 1, 3, 3], opts: {}, bias: true, note: 'MNIST conv1, im2col' },
  { x: [2, 6, 11, 9], w: [8, 6, 3, 3], opts: { stride: 2, padding: 1 }, bias: true },
  { x: [1, 4, 13, 12], w: [9, 4, 5, 5], opts: { dilation: 2, padding: 3 }, bias: false },
  { x: [3, 8, 10, 10], w: [12, 4, 3, 3], opts: { groups: 2, padding: 1 }, bias: true },
  { x: [2, 6, 9, 9], w: [6, 1, 3, 3], opts: { groups: 6, padding: 1 }, bias: false, note: 'depthwise' },
  { x: [1, 16, 7, 7], w: [24, 16, 1, 1], opts: {}, bias: false, note: 'pointwise, batch 1' },
  { x: [2, 5, 8, 9], w: [7, 5, 2, 4], opts: { padding: [1, 2] }, bias: false, note: 'asymmetric kernel' },
  { x: [2, 8, 9, 7], w: [8, 8, 3, 3], opts: { padding: 1 }, bias: true, note: 'tiled' },
  { x: [2, 8, 11, 10], w: [12, 4, 3, 2], opts: { stride: [2, 3], padding: [2, 1], dilation: [1, 2], groups: 2 }, bias: false, note: 'tiled' },
  { x: [1, 8, 9, 9], w: [8, 2, 3, 3], opts: { stride: 2, padding: 1, groups: 4 }, bias: true, note: 'tiled' },
  { x: [2, 12, 8, 8], w: [24, 4, 2, 2], opts: { stride: [3, 2], padding: [0, 1], dilation: [2, 1], groups: 3 }, bias: false, note: 'tiled' },
  { x: [1, 4, 7, 6], w: [5, 4, 1, 1], opts: {}, bias: true, note: 'tiled' },
  { x: [2, 3, 8, 8], w: [8, 3, 3, 3], opts: { stride: 1, padding: 'same' }, bias: true, note: 'tiled' },
  { x: [1, 4, 10, 9], w: [4, 1, 3, 3], opts: { padding: 2, dilation: 2, groups: 4 }, bias: false, note: 'tiled depthwise' },
  { x: [2, 8, 7, 9], w: [4, 8, 4, 5], opts: { padding: [3, 2], dilation: [1, 2], paddingMode: 'reflect' }, bias: true, note: 'tiled' },
  { x: [1, 80, 5, 5], w: [136, 80, 3, 3], opts: { padding: 1 }, bias: false, note: 'tiled, long reduction' },
  { x: [3, 16, 33, 33], w: [8, 16, 3, 3], opts: { stride: 2, padding: 1 }, bias: false, note: 'tiled' },
];

const EDGES: ConvSpec[] = [
  { x: [0, 3, 6, 6], w: [4, 3, 3, 3], opts: { padding: 1 }, bias: true, note: 'empty batch' },
  { x: [1, 1, 1031, 1030], w: [1, 1, 3, 3], opts: { padding: 'same' }, bias: true, note: 'large' },
  { x: [2, 3, 5, 5], w: [2, 3, 5, 5], opts: {}, bias: true, note: 'kernel covers the input' },
  { x: [1, 2, 1, 9], w: [3, 2, 1, 3], opts: { padding: [0, 1], paddingMode: 'circular' }, bias: false, note: 'conv1d-like, circular' },
  { x: [2, 3, 6, 7], w: [4, 3, 3, 2], opts: { padding: [2, 1], paddingMode: 'replicate' }, bias: true },
  { x: [2, 8, 9, 10], w: [8, 8, 3, 3], opts: { padding: 1 }, bias: true, note: 'winograd-eligible', special: true },
  { x: [1, 6, 11, 9], w: [9, 6, 3, 2], opts: { stride: 2, padding: 1 }, bias: false, special: true },
  { x: [2, 4, 8, 8], w: [8, 1, 3, 3], opts: { groups: 4, padding: 1 }, bias: true, note: 'depthwise', special: true },
];

/** One random geometry of the named family, options drawn until core accepts them. */
function randomSpec(rng: CaseRandom, family: string): ConvSpec {
  for (;;) {
    const batch = rng.int(1, 3);
    const size = (): number => rng.int(3, 13);
    let c = rng.pick([1, 2, 3, 4, 5, 8]);
    let o = rng.pick([1, 3, 4, 6, 8]);
    let k: [number, number] = [rng.int(1, 4), rng.int(1, 4)];
    const opts: Conv2dOptions = {};
    if (family === 'winograd') {
      c = rng.pick([8, 9, 12, 16]);
      o = rng.pick([8, 11, 16]);
      k = [3, 3];
      opts.padding = rng.int(0, 2);
    } else if (family === 'strided') {
      opts.stride = [rng.int(1, 3), rng.int(2, 3)];
      opts.padding = [rng.int(0, 2), rng.int(0, 2)];
    } else if (family === 'dilated') {
      opts.dilation = [rng.int(1, 3), rng.int(2, 3)];
      opts.padding = rng.int(0, 3);
    } else if (family === 'grouped') {
      const groups = rng.pick([2, 3, 4]);
      c = groups * rng.int(1, 3);
      o = groups * rng.int(1, 3);
      opts.groups = groups;
      opts.padding = rng.int(0, 1);
    } else if (family === 'depthwise') {
      opts.groups = c = rng.pick([3, 4, 8]);
      o = c * rng.int(1, 2);
      k = [3, 3];
      opts.padding = 1;
      opts.stride = rng.int(1, 2);
    } else if (family === 'pointwise') {
      k = [1, 1];
      c = rng.pick([4, 8, 16]);
      o = rng.pick([4, 12]);
    } else if (family === 'channel-split') {
      c = rng.pick([8, 12, 16]);
      o = rng.pick([8, 16, 20]);
      opts.padding = rng.int(0, 1);
    } else if (family === 'padding-mode') {
      opts.paddingMode = rng.pick(['reflect', 'replicate', 'circular'] as const);
      opts.padding = [rng.int(0, 2), rng.int(0, 2)];
    }
    const spec: ConvSpec = {
      x: [family === 'channel-split' ? 1 : batch, c, size(), size()],
      w: [o, c / (opts.groups ?? 1), k[0], k[1]],
      opts,
      bias: rng.chance(0.5),
      note: family,
    };
    try {
      resolveConv2d('conv2d', spec.x, spec.w, null, spec.opts);
      return spec;
    } catch (err) {
      if (!(err instanceof CnnError)) throw err;
    }
  }
}

const FAMILIES = ['winograd', 'strided', 'dilated', 'grouped', 'depthwise', 'pointwise', 'channel-split', 'padding-mode', 'any'];

export const convKernelCases: CaseGenerator = (rng) => {
  const specs = [...HARNESS, ...EDGES];
  for (const family of FAMILIES) for (let i = 0; i < 2; i++) specs.push(randomSpec(rng, family));
  return specs.flatMap(convCases);
};
