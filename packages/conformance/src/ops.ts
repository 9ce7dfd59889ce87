/**
 * How each op of the format is called through the public API. Attribute names are checked: an attribute this
 * runner does not know is a failure, never silently ignored.
 */
import { F, type Tensor } from '@cnn/core';

export type OpRunner = (inputs: Record<string, Tensor>, attrs: Record<string, unknown>) => Tensor[];

interface OpSpec {
  inputs: readonly string[];
  optionalInputs?: readonly string[];
  attrs: readonly string[];
  run: OpRunner;
  /** Inputs that are never differentiated (targets, running statistics). */
  noGrad?: readonly string[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- attrs come from JSON and are validated by the ops */
type A = any;

const CONV_ATTRS = ['stride', 'padding', 'dilation', 'groups', 'paddingMode'] as const;

export const OPS: Record<string, OpSpec> = {
  conv2d: {
    inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: CONV_ATTRS,
    run: (i, a: A) => [F.conv2d(i.input, i.weight, i.bias ?? null, a)],
  },
  conv1d: {
    inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: CONV_ATTRS,
    run: (i, a: A) => [F.conv1d(i.input, i.weight, i.bias ?? null, a)],
  },
  maxPool2d: {
    inputs: ['input'], attrs: ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode'],
    run: (i, a: A) => [F.maxPool2d(i.input, a)],
  },
  avgPool2d: {
    inputs: ['input'], attrs: ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'],
    run: (i, a: A) => [F.avgPool2d(i.input, a)],
  },
  maxPool1d: {
    inputs: ['input'], attrs: ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode'],
    run: (i, a: A) => [F.maxPool1d(i.input, a)],
  },
  avgPool1d: {
    inputs: ['input'], attrs: ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad'],
    run: (i, a: A) => [F.avgPool1d(i.input, a)],
  },
  adaptiveAvgPool2d: { inputs: ['input'], attrs: ['outputSize'], run: (i, a: A) => [F.adaptiveAvgPool2d(i.input, a.outputSize)] },
  adaptiveMaxPool2d: { inputs: ['input'], attrs: ['outputSize'], run: (i, a: A) => [F.adaptiveMaxPool2d(i.input, a.outputSize)] },
  batchNorm2d: {
    inputs: ['input'], optionalInputs: ['weight', 'bias', 'runningMean', 'runningVar'], attrs: ['training', 'momentum', 'eps'],
    noGrad: ['runningMean', 'runningVar'],
    run: (i, a: A) => {
      if (i.input.rank !== 4) throw new Error(`batchNorm2d: input must be 4-D [N, C, H, W], got [${i.input.shape.join(', ')}]`);
      const rm = i.runningMean ?? null;
      const rv = i.runningVar ?? null;
      const y = F.batchNorm(i.input, rm, rv, i.weight ?? null, i.bias ?? null, { training: !!a.training, momentum: a.momentum, eps: a.eps });
      return a.training && rm && rv ? [y, rm, rv] : [y];
    },
  },
  linear: { inputs: ['input', 'weight'], optionalInputs: ['bias'], attrs: [], run: (i) => [F.linear(i.input, i.weight, i.bias ?? null)] },
  matmul: { inputs: ['a', 'b'], attrs: [], run: (i) => [F.matmul(i.a, i.b)] },
  relu: { inputs: ['input'], attrs: [], run: (i) => [F.relu(i.input)] },
  sigmoid: { inputs: ['input'], attrs: [], run: (i) => [F.sigmoid(i.input)] },
  tanh: { inputs: ['input'], attrs: [], run: (i) => [F.tanh(i.input)] },
  gelu: { inputs: ['input'], attrs: [], run: (i) => [F.gelu(i.input)] },
  leakyRelu: { inputs: ['input'], attrs: ['negativeSlope'], run: (i, a: A) => [F.leakyRelu(i.input, a.negativeSlope)] },
  elu: { inputs: ['input'], attrs: ['alpha'], run: (i, a: A) => [F.elu(i.input, a.alpha)] },
  softmax: { inputs: ['input'], attrs: ['dim'], run: (i, a: A) => [F.softmax(i.input, a.dim)] },
  logSoftmax: { inputs: ['input'], attrs: ['dim'], run: (i, a: A) => [F.logSoftmax(i.input, a.dim)] },
  crossEntropy: {
    inputs: ['input', 'target'], attrs: ['reduction', 'labelSmoothing'], noGrad: ['target'],
    run: (i, a: A) => [F.crossEntropy(i.input, i.target, { reduction: a.reduction, labelSmoothing: a.labelSmoothing })],
  },
  nllLoss: {
    inputs: ['input', 'target'], attrs: ['reduction'], noGrad: ['target'],
    run: (i, a: A) => [F.nllLoss(i.input, i.target, { reduction: a.reduction })],
  },
  mseLoss: { inputs: ['input', 'target'], attrs: ['reduction'], run: (i, a: A) => [F.mseLoss(i.input, i.target, { reduction: a.reduction })] },
  pad: { inputs: ['input'], attrs: ['pad', 'mode', 'value'], run: (i, a: A) => [F.pad(i.input, a.pad, { mode: a.mode, value: a.value })] },
};

/** Inputs that hold class indices: stored as floats in files, passed to ops as int32. */
export const INDEX_INPUTS: Record<string, readonly string[]> = { crossEntropy: ['target'], nllLoss: ['target'] };
