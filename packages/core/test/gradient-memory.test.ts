/**
 * Every differentiable op, forward + backward outside `tidy`: once the caller disposes what it owns (the output, the
 * seed gradient, the leaf's .grad), memory must be where it started. A backward that drops an intermediate (e.g. the
 * `square` inside erf's gradient) shows up here as live tensors and data blocks that grow with every call.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, onesLike, setBackend, tensor, type Tensor } from '@cnn/core';
import { counts } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

// Positive, distinct values so log/sqrt/pow are defined and max/min have a single winner.
const input = (): Tensor => tensor([0.3, 1.2, 0.7, 2.1, 0.9, 1.6], [2, 3]);
const other = (): Tensor => tensor([1.1, 0.4, 0.8], [3]);

/** Runs `op` on a view of `x` with `shape`, and on `extra` tensors it makes; the output owns them all. */
function viewed(x: Tensor, shape: number[], op: (view: Tensor) => Tensor, ...extra: Tensor[]): Tensor {
  const view = x.reshape(shape);
  return op(view).own(view, ...extra);
}

const cases: [string, (x: Tensor, c: Tensor) => Tensor][] = [
  ['erf', (x) => F.erf(x)],
  ['neg', (x) => F.neg(x)],
  ['exp', (x) => F.exp(x)],
  ['log', (x) => F.log(x)],
  ['sqrt', (x) => F.sqrt(x)],
  ['rsqrt', (x) => F.rsqrt(x)],
  ['abs', (x) => F.abs(x)],
  ['square', (x) => F.square(x)],
  ['reciprocal', (x) => F.reciprocal(x)],
  ['affine', (x) => F.affine(x, 2, 1)],
  ['clamp', (x) => F.clamp(x, 0.5, 1.5)],
  ['add (broadcast)', (x, c) => F.add(x, c)],
  ['sub (broadcast)', (x, c) => F.sub(x, c)],
  ['mul (broadcast)', (x, c) => F.mul(x, c)],
  ['div (broadcast)', (x, c) => F.div(x, c)],
  ['pow (tensor exponent)', (x, c) => F.pow(x, c)],
  ['pow (number exponent)', (x) => F.pow(x, 3)],
  ['number / tensor', (x) => F.div(2, x)],
  ['maximum', (x, c) => F.maximum(x, c)],
  ['minimum', (x, c) => F.minimum(x, c)],
  ['relu', (x) => F.relu(x)],
  ['leakyRelu', (x) => F.leakyRelu(x, 0.1)],
  ['elu', (x) => F.elu(x)],
  ['gelu', (x) => F.gelu(x)],
  ['sigmoid', (x) => F.sigmoid(x)],
  ['tanh', (x) => F.tanh(x)],
  ['softmax', (x) => F.softmax(x, 1)],
  ['logSoftmax', (x) => F.logSoftmax(x, 0)],
  ['sum over dim 1', (x) => F.sum(x, 1)],
  ['mean over dim 0', (x) => F.mean(x, 0, true)],
  ['max over dim 1', (x) => F.max(x, 1)],
  ['min over all', (x) => F.min(x)],
  ['variance', (x) => F.variance(x, 1)],
  ['transpose', (x) => F.transpose(x, 0, 1)],
  ['slice', (x) => F.slice(x, 1, 1, 3)],
  ['concat', (x) => F.concat([x, x], 0)],
  ['pad reflect', (x) => viewed(x, [1, 2, 3], (v) => F.pad(v, [1, 1], { mode: 'reflect' }))],
  ['broadcastTo', (x) => F.broadcastTo(x, [2, 2, 3])],
  ['matmul', (x, c) => F.matmul(x, c)],
  ['linear', (x, c) => viewed(c, [1, 3], (weight) => F.linear(x, weight))],
  ['permute', (x) => F.permute(x, [1, 0])],
  ['flatten', (x) => F.flatten(x)],
  ['unsqueeze', (x) => F.unsqueeze(x, 1)],
  ['squeeze', (x) => viewed(x, [1, 2, 3], (v) => F.squeeze(v, 0))],
  ['conv2d', (x) => {
    const weight = tensor([1, -2, 0.5, 0, 1, 2, -1, 0.25, 1], [1, 1, 3, 3]);
    return viewed(x, [1, 1, 2, 3], (v) => F.conv2d(v, weight, null, { padding: 1 }), weight);
  }],
  ['conv1d', (x) => {
    const weight = tensor([0.5, -1, 2, 0.25, 1, -0.5], [1, 2, 3]);
    const bias = tensor([0.1]);
    return viewed(x, [1, 2, 3], (v) => F.conv1d(v, weight, bias, { padding: 'same' }), weight, bias);
  }],
  ['maxPool2d', (x) => viewed(x, [1, 1, 2, 3], (x4) => F.maxPool2d(x4, { kernelSize: 2, stride: 1 }))],
  ['avgPool2d', (x) => viewed(x, [1, 1, 2, 3], (x4) => F.avgPool2d(x4, { kernelSize: 2, stride: 1, padding: 1 }))],
  ['adaptiveAvgPool2d', (x) => viewed(x, [1, 1, 2, 3], (x4) => F.adaptiveAvgPool2d(x4, [1, 2]))],
  ['adaptiveMaxPool2d', (x) => viewed(x, [1, 1, 2, 3], (x4) => F.adaptiveMaxPool2d(x4, [2, 2]))],
  ['maxPool1d', (x) => viewed(x, [1, 2, 3], (v) => F.maxPool1d(v, { kernelSize: 2 }))],
  ['batchNorm (training, running stats)', (x) => {
    const runningMean = tensor([0, 0, 0]);
    const runningVar = tensor([1, 1, 1]);
    return F.batchNorm(x, runningMean, runningVar, null, null, { training: true }).own(runningMean, runningVar);
  }],
  ['dropout p 0.5', (x) => F.dropout(x, 0.5)],
  ['crossEntropy (label smoothing)', (x) => {
    const target = tensor(Int32Array.from([2, 0]));
    return F.crossEntropy(x, target, { labelSmoothing: 0.1 }).own(target);
  }],
  ['nllLoss', (x) => {
    const target = tensor(Int32Array.from([1, 2]));
    return F.nllLoss(x, target, { reduction: 'sum' }).own(target);
  }],
  ['mseLoss', (x) => {
    const target = tensor([0.5, 0.5, 0.5, 1, 1, 1], [2, 3]);
    return F.mseLoss(x, target).own(target);
  }],
];

describe('forward + backward outside tidy leaks nothing', () => {
  for (const [name, op] of cases) {
    it(`${name}: memory is flat over 5 calls`, () => {
      const x = input();
      x.requiresGrad = true;
      const c = other();
      c.requiresGrad = true;
      const start = counts();
      for (let i = 0; i < 5; i++) {
        const y = op(x, c);
        const seed = onesLike(y);
        y.backward(seed);
        expect(x.grad, `${name}: x.grad after call ${i}`).not.toBeNull();
        seed.dispose();
        y.dispose();
        x.grad = null;
        c.grad = null;
        expect(counts(), `${name}: after call ${i + 1}`).toEqual(start);
      }
      x.dispose();
      c.dispose();
    });
  }
});
