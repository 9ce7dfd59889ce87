/** Runners for the network layers of the format: convolution, pooling, normalisation, activations, losses, padding. */
import { F, PAD_MODES } from '@cnn/core';
import { boolAttr, intAttr, intListAttr, oneOfAttr, optionalNumberAttr, optionsOf, type Attrs, type OpSpec } from './op-spec.js';

const CONV_ATTRS = ['stride', 'padding', 'dilation', 'groups', 'paddingMode'] as const;
const CONV_TRANSPOSE_ATTRS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups'] as const;
const POOL_ATTRS = ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode'] as const;
const AVG_POOL_ATTRS = ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'] as const;
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

/** adaptive pools' `outputSize` [oH, oW]. */
function outputSize(op: string, a: Attrs): readonly [number, number] {
  const size = intListAttr(op, a, 'outputSize');
  if (size.length !== 2) throw new Error(`${op}: attribute 'outputSize' must be [oH, oW], got ${JSON.stringify(size)}`);
  return [size[0], size[1]];
}

export const NN_OPS: Record<string, OpSpec> = {
  conv2d: {
    inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: CONV_ATTRS,
    run: (i, a) => [F.conv2d(i.input, i.weight, i.bias ?? null, optionsOf<F.Conv2dOptions>(a))],
  },
  conv1d: {
    inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: CONV_ATTRS,
    run: (i, a) => [F.conv1d(i.input, i.weight, i.bias ?? null, optionsOf<F.Conv1dOptions>(a))],
  },
  convTranspose2d: {
    inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: CONV_TRANSPOSE_ATTRS,
    run: (i, a) => [F.convTranspose2d(i.input, i.weight, i.bias ?? null, optionsOf<F.ConvTranspose2dOptions>(a))],
  },
  convTranspose1d: {
    inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: CONV_TRANSPOSE_ATTRS,
    run: (i, a) => [F.convTranspose1d(i.input, i.weight, i.bias ?? null, optionsOf<F.ConvTranspose1dOptions>(a))],
  },
  interpolate: {
    inputs: ['input'], attrs: ['mode', 'size', 'scaleFactor', 'alignCorners'],
    run: (i, a) => [F.interpolate(i.input, optionsOf<F.InterpolateOptions>(a))],
  },
  maxPool2d: { inputs: ['input'], attrs: POOL_ATTRS, run: (i, a) => [F.maxPool2d(i.input, optionsOf<F.Pool2dOptions>(a))] },
  avgPool2d: { inputs: ['input'], attrs: AVG_POOL_ATTRS, run: (i, a) => [F.avgPool2d(i.input, optionsOf<F.Pool2dOptions>(a))] },
  maxPool1d: { inputs: ['input'], attrs: POOL_ATTRS, run: (i, a) => [F.maxPool1d(i.input, optionsOf<F.Pool1dOptions>(a))] },
  avgPool1d: { inputs: ['input'], attrs: AVG_POOL_ATTRS, run: (i, a) => [F.avgPool1d(i.input, optionsOf<F.Pool1dOptions>(a))] },
  adaptiveAvgPool2d: {
    inputs: ['input'], attrs: ['outputSize'],
    run: (i, a) => [F.adaptiveAvgPool2d(i.input, outputSize('adaptiveAvgPool2d', a))],
  },
  adaptiveMaxPool2d: {
    inputs: ['input'], attrs: ['outputSize'],
    run: (i, a) => [F.adaptiveMaxPool2d(i.input, outputSize('adaptiveMaxPool2d', a))],
  },
  batchNorm2d: {
    inputs: ['input'], optionalInputs: ['weight', 'bias', 'runningMean', 'runningVar'], attrs: ['training', 'momentum', 'eps'],
    noGrad: ['runningMean', 'runningVar'],
    run: (i, a) => {
      if (i.input.rank !== 4) throw new Error(`batchNorm2d: input must be 4-D [N, C, H, W], got [${i.input.shape.join(', ')}]`);
      const rm = i.runningMean ?? null;
      const rv = i.runningVar ?? null;
      const training = boolAttr('batchNorm2d', a, 'training', false);
      const opts = { training, momentum: optionalNumberAttr('batchNorm2d', a, 'momentum'), eps: optionalNumberAttr('batchNorm2d', a, 'eps') };
      const y = F.batchNorm(i.input, rm, rv, i.weight ?? null, i.bias ?? null, opts);
      // In training the running statistics are updated in place: they are outputs 1 and 2.
      return training && rm && rv ? [y, rm, rv] : [y];
    },
  },
  linear: { inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: [], run: (i) => [F.linear(i.input, i.weight, i.bias ?? null)] },
  relu: { inputs: ['input'], attrs: [], run: (i) => [F.relu(i.input)] },
  sigmoid: { inputs: ['input'], attrs: [], run: (i) => [F.sigmoid(i.input)] },
  tanh: { inputs: ['input'], attrs: [], run: (i) => [F.tanh(i.input)] },
  gelu: { inputs: ['input'], attrs: [], run: (i) => [F.gelu(i.input)] },
  leakyRelu: {
    inputs: ['input'], attrs: ['negativeSlope'],
    run: (i, a) => [F.leakyRelu(i.input, optionalNumberAttr('leakyRelu', a, 'negativeSlope'))],
  },
  elu: { inputs: ['input'], attrs: ['alpha'], run: (i, a) => [F.elu(i.input, optionalNumberAttr('elu', a, 'alpha'))] },
  softmax: { inputs: ['input'], attrs: ['dim'], run: (i, a) => [F.softmax(i.input, intAttr('softmax', a, 'dim'))] },
  logSoftmax: { inputs: ['input'], attrs: ['dim'], run: (i, a) => [F.logSoftmax(i.input, intAttr('logSoftmax', a, 'dim'))] },
  crossEntropy: {
    inputs: ['input', 'target'], attrs: ['reduction', 'labelSmoothing'], noGrad: ['target'],
    run: (i, a) => [
      F.crossEntropy(i.input, i.target, {
        reduction: oneOfAttr('crossEntropy', a, 'reduction', REDUCTIONS),
        labelSmoothing: optionalNumberAttr('crossEntropy', a, 'labelSmoothing'),
      }),
    ],
  },
  nllLoss: {
    inputs: ['input', 'target'], attrs: ['reduction'], noGrad: ['target'],
    run: (i, a) => [F.nllLoss(i.input, i.target, { reduction: oneOfAttr('nllLoss', a, 'reduction', REDUCTIONS) })],
  },
  mseLoss: {
    inputs: ['input', 'target'], attrs: ['reduction'],
    run: (i, a) => [F.mseLoss(i.input, i.target, { reduction: oneOfAttr('mseLoss', a, 'reduction', REDUCTIONS) })],
  },
  pad: {
    inputs: ['input'], attrs: ['pad', 'mode', 'value'],
    run: (i, a) => [
      F.pad(i.input, intListAttr('pad', a, 'pad'), { mode: oneOfAttr('pad', a, 'mode', PAD_MODES), value: optionalNumberAttr('pad', a, 'value') }),
    ],
  },
};

/** Inputs that hold class indices: stored as floats in files, passed to ops as int32. */
export const INDEX_INPUTS: Record<string, readonly string[]> = { crossEntropy: ['target'], nllLoss: ['target'] };
