/**
 * Bad arguments are rejected before any work: the error (a CnnError) names the op or layer, the argument, the bad
 * value and what is allowed, and the backend holds exactly the data it held before the call.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, nn, optim, setBackend, tensor, zeros, type Tensor } from '@cnn/core';
import { rejects } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

/** Inputs made once, outside the measured calls. */
let x8: Tensor; // [1, 3, 8, 8]
let w3: Tensor; // [4, 3, 3, 3]
const labels = (values: number[]): Tensor => tensor(Int32Array.from(values)).keep();

beforeAll(() => {
  x8 = zeros([1, 3, 8, 8]).keep();
  w3 = zeros([4, 3, 3, 3]).keep();
});

describe('convolution hyper-parameters', () => {
  it('Conv2d layer dilation [0, 0] → "Conv2d: dilation must be ≥ 1, got [0, 0]"', () => {
    rejects(() => new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, dilation: [0, 0] }), 'Conv2d: dilation must be ≥ 1, got [0, 0]');
  });
  it('F.conv2d dilation [0, 0]', () => {
    rejects(() => F.conv2d(x8, w3, null, { dilation: [0, 0] }), 'conv2d: dilation must be ≥ 1, got [0, 0]');
  });
  it('Conv2d layer stride 0', () => {
    rejects(() => new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, stride: 0 }), 'Conv2d: stride must be ≥ 1, got [0, 0]');
  });
  it('F.conv2d stride [1, 0]', () => {
    rejects(() => F.conv2d(x8, w3, null, { stride: [1, 0] }), 'conv2d: stride must be ≥ 1, got [1, 0]');
  });
  it('F.conv1d stride 0', () => {
    const x = zeros([1, 3, 8]).keep();
    const w = zeros([4, 3, 3]).keep();
    rejects(() => F.conv1d(x, w, null, { stride: 0 }), 'conv1d: stride must be an integer ≥ 1, got 0');
    x.dispose();
    w.dispose();
  });
  it('Conv2d layer kernelSize 0', () => {
    rejects(() => new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 0 }), 'Conv2d: kernelSize must be ≥ 1, got [0, 0]');
  });
  it('Conv1d layer kernelSize 0', () => {
    rejects(() => new nn.Conv1d({ inChannels: 3, outChannels: 8, kernelSize: 0 }), 'Conv1d: kernelSize must be an integer ≥ 1, got 0');
  });
  it('F.conv2d weight [4, 3, 0, 3] (kernel height 0)', () => {
    const w = zeros([4, 3, 0, 3]).keep();
    rejects(() => F.conv2d(x8, w), 'conv2d: kernel size must be ≥ 1, got [0, 3]', 'weight shape [4, 3, 0, 3]');
    w.dispose();
  });
  it('Conv2d groups 2 with inChannels 3', () => {
    rejects(() => new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, groups: 2 }), 'Conv2d: groups 2 must divide inChannels 3');
  });
  it('Conv2d groups 4 with outChannels 6', () => {
    rejects(() => new nn.Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, groups: 4 }), 'Conv2d: groups 4 must divide outChannels 6');
  });
  it('F.conv2d groups 2 with 3 input channels', () => {
    const w = zeros([4, 1, 3, 3]).keep();
    rejects(() => F.conv2d(x8, w, null, { groups: 2 }), 'conv2d: groups 2 must divide the input channels 3', 'input shape [1, 3, 8, 8]');
    w.dispose();
  });
  it('F.conv2d groups 4 with 6 output channels', () => {
    const x = zeros([1, 4, 8, 8]).keep();
    const w = zeros([6, 1, 3, 3]).keep();
    rejects(() => F.conv2d(x, w, null, { groups: 4 }), 'conv2d: groups 4 must divide the output channels 6', 'weight shape [6, 1, 3, 3]');
    x.dispose();
    w.dispose();
  });
  it('F.conv2d kernel 5×5 on a 4×4 input, padding 0', () => {
    const x = zeros([1, 3, 4, 4]).keep();
    const w = zeros([4, 3, 5, 5]).keep();
    rejects(() => F.conv2d(x, w), 'conv2d: kernel 5×5', 'larger than the padded input 4×4', 'input shape [1, 3, 4, 4]');
    x.dispose();
    w.dispose();
  });
  it('Conv2d kernel 3 dilation 3 (spans 7) on a 6×6 input', () => {
    const conv = new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, dilation: 3 });
    const x = zeros([1, 3, 6, 6]).keep();
    rejects(() => conv.forward(x), 'Conv2d: kernel 3×3 with dilation [3, 3] spans 7×7, larger than the padded input 6×6');
    x.dispose();
    conv.dispose();
  });
  it("F.conv2d padding 'same' with stride 2", () => {
    rejects(() => F.conv2d(x8, w3, null, { padding: 'same', stride: 2 }), "conv2d: padding 'same' needs stride 1, got stride [2, 2]");
  });
  it("Conv2d layer padding 'same' with stride 2", () => {
    rejects(() => new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 'same', stride: 2 }), "Conv2d: padding 'same' needs stride 1, got stride [2, 2]");
  });
  it("F.conv1d padding 'same' with stride 2", () => {
    const x = zeros([1, 3, 8]).keep();
    const w = zeros([4, 3, 3]).keep();
    rejects(() => F.conv1d(x, w, null, { padding: 'same', stride: 2 }), "conv1d: padding 'same' needs stride 1, got stride 2");
    x.dispose();
    w.dispose();
  });
  it("F.conv2d paddingMode 'mirror'", () => {
    rejects(
      () => F.conv2d(x8, w3, null, { padding: 1, paddingMode: 'mirror' as never }),
      "conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'",
    );
  });
  it("Conv2d layer paddingMode 'mirror'", () => {
    rejects(() => new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, paddingMode: 'mirror' as never }), "Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'");
  });
  it('F.conv2d bias of shape [5] for 4 output channels', () => {
    const b = zeros([5]).keep();
    rejects(() => F.conv2d(x8, w3, b), 'conv2d: bias must have shape [4], got [5]');
    b.dispose();
  });
});

describe('padding modes', () => {
  it("F.conv2d paddingMode 'reflect' padding 4 on a 4×4 input", () => {
    const x = zeros([1, 3, 4, 4]).keep();
    rejects(() => F.conv2d(x, w3, null, { padding: 4, paddingMode: 'reflect' }), 'conv2d: reflect padding [4, 4, 4, 4] must be < the input size 4×4');
    x.dispose();
  });
  it("F.pad mode 'reflect' [3, 3, 1, 1] on a 3×3 input", () => {
    const x = zeros([1, 1, 3, 3]).keep();
    rejects(() => F.pad(x, [3, 3, 1, 1], { mode: 'reflect' }), 'pad: reflect padding [3, 3] on width must be < input size 3');
    x.dispose();
  });
  it("F.pad mode 'circular' [3, 3] on width 2", () => {
    const x = zeros([1, 1, 2, 2]).keep();
    rejects(() => F.pad(x, [3, 3], { mode: 'circular' }), 'pad: circular padding [3, 3] on width must be ≤ input size 2');
    x.dispose();
  });
  it("F.pad mode 'mirror'", () => {
    const x = zeros([1, 1, 3, 3]).keep();
    rejects(() => F.pad(x, [1, 1], { mode: 'mirror' as never }), "pad: mode must be one of 'constant', 'reflect', 'replicate', 'circular', got 'mirror'");
    x.dispose();
  });
});

describe('wrong rank', () => {
  it('F.conv2d with a 3-D input [3, 8, 8]', () => {
    const x = zeros([3, 8, 8]).keep();
    rejects(() => F.conv2d(x, w3), 'conv2d: input must be 4-D [N, C, H, W], got shape [3, 8, 8]');
    x.dispose();
  });
  it('F.maxPool2d with a 2-D input [8, 8]', () => {
    const x = zeros([8, 8]).keep();
    rejects(() => F.maxPool2d(x, { kernelSize: 2 }), 'maxPool2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape [8, 8]');
    x.dispose();
  });
  it('MaxPool2d layer with a 2-D input [8, 8]', () => {
    const pool = new nn.MaxPool2d({ kernelSize: 2 });
    const x = zeros([8, 8]).keep();
    rejects(() => pool.forward(x), /maxPool2d: input must be 4-D .* got shape \[8, 8\]/i);
    x.dispose();
  });
  it('F.linear with a 3-D weight [1, 4, 3]', () => {
    const x = zeros([2, 3]).keep();
    const w = zeros([1, 4, 3]).keep();
    rejects(() => F.linear(x, w), 'linear: weight must be 2-D [outFeatures, inFeatures], got shape [1, 4, 3]');
    x.dispose();
    w.dispose();
  });
  it('F.conv1d with a 2-D input [3, 8]', () => {
    const x = zeros([3, 8]).keep();
    const w = zeros([4, 3, 3]).keep();
    rejects(() => F.conv1d(x, w), 'conv1d: input must be 3-D [N, C, L], got shape [3, 8]');
    x.dispose();
    w.dispose();
  });
});

describe('channel / feature mismatch names expected and actual shapes', () => {
  it('F.conv2d input [1, 4, 8, 8] with weight [8, 3, 3, 3]', () => {
    const x = zeros([1, 4, 8, 8]).keep();
    const w = zeros([8, 3, 3, 3]).keep();
    rejects(() => F.conv2d(x, w), 'conv2d: channel mismatch', 'input shape [1, 4, 8, 8] has 4 channels', 'weight shape [8, 3, 3, 3]', 'expects 3');
    x.dispose();
    w.dispose();
  });
  it('Conv2d(inChannels 3) on input [1, 4, 8, 8]', () => {
    const conv = new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3 });
    const x = zeros([1, 4, 8, 8]).keep();
    rejects(() => conv.forward(x), 'Conv2d: channel mismatch', 'input shape [1, 4, 8, 8]', 'weight shape [8, 3, 3, 3]');
    x.dispose();
    conv.dispose();
  });
  it('Conv1d(inChannels 3) on input [1, 4, 8]', () => {
    const conv = new nn.Conv1d({ inChannels: 3, outChannels: 8, kernelSize: 3 });
    const x = zeros([1, 4, 8]).keep();
    rejects(() => conv.forward(x), 'Conv1d: channel mismatch', 'has 4 channels', 'expects 3');
    x.dispose();
    conv.dispose();
  });
  it('Linear(inFeatures 5) on input [2, 4]', () => {
    const lin = new nn.Linear({ inFeatures: 5, outFeatures: 2 });
    const x = zeros([2, 4]).keep();
    rejects(() => lin.forward(x), 'Linear: input shape [2, 4] must end in 5 features (weight shape [2, 5])');
    x.dispose();
    lin.dispose();
  });
  it('F.linear input [2, 4] with weight [2, 5]', () => {
    const x = zeros([2, 4]).keep();
    const w = zeros([2, 5]).keep();
    rejects(() => F.linear(x, w), 'linear: input shape [2, 4] has 4 features, weight shape [2, 5] expects 5');
    x.dispose();
    w.dispose();
  });
  it('BatchNorm2d(numFeatures 3) on input [2, 4, 2, 2]', () => {
    const bn = new nn.BatchNorm2d({ numFeatures: 3 });
    const x = zeros([2, 4, 2, 2]).keep();
    rejects(() => bn.forward(x), 'BatchNorm2d: input shape [2, 4, 2, 2] has 4 channels, expected 3');
    // num_batches_tracked was not incremented by the rejected call
    expect(Array.from(bn.numBatchesTracked!.dataSync())).toEqual([0]);
    x.dispose();
    bn.dispose();
  });
  it('F.matmul [2, 3] · [4, 2]', () => {
    const a = zeros([2, 3]).keep();
    const b = zeros([4, 2]).keep();
    rejects(() => F.matmul(a, b), 'matmul: inner dimensions differ: shapes [2, 3] and [4, 2] (3 vs 4)');
    a.dispose();
    b.dispose();
  });
});

describe('losses', () => {
  it("F.crossEntropy reduction 'avg'", () => {
    const x = zeros([2, 3]).keep();
    const t = labels([0, 1]);
    rejects(() => F.crossEntropy(x, t, { reduction: 'avg' as never }), "crossEntropy: reduction must be one of 'mean', 'sum', 'none', got 'avg'");
    x.dispose();
    t.dispose();
  });
  it("F.mseLoss reduction 'avg'", () => {
    const x = zeros([2, 3]).keep();
    rejects(() => F.mseLoss(x, x, { reduction: 'avg' as never }), "mseLoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'");
    x.dispose();
  });
  it('F.crossEntropy target 3 with 3 classes', () => {
    const x = zeros([2, 3]).keep();
    const t = labels([0, 3]);
    rejects(() => F.crossEntropy(x, t), 'crossEntropy: target class 3 at position 1 is outside [0, 2]');
    x.dispose();
    t.dispose();
  });
  it('F.crossEntropy target -1', () => {
    const x = zeros([2, 3]).keep();
    const t = labels([-1, 0]);
    rejects(() => F.crossEntropy(x, t), 'crossEntropy: target class -1 at position 0 is outside [0, 2]');
    x.dispose();
    t.dispose();
  });
  it('F.crossEntropy spatial [1, 3, 2, 2] with a target 5', () => {
    const x = zeros([1, 3, 2, 2]).keep();
    const t = tensor(Int32Array.from([0, 1, 5, 2]), [1, 2, 2]).keep();
    rejects(() => F.crossEntropy(x, t), 'crossEntropy: target class 5 at position 2 is outside [0, 2]');
    x.dispose();
    t.dispose();
  });
  it('F.nllLoss target 3 with 3 classes', () => {
    const x = zeros([2, 3]).keep();
    const t = labels([0, 3]);
    rejects(() => F.nllLoss(x, t), 'nllLoss: target class 3 at position 1 is outside [0, 2]');
    x.dispose();
    t.dispose();
  });
  it('F.crossEntropy target of shape [3] for input [2, 3]', () => {
    const x = zeros([2, 3]).keep();
    const t = labels([0, 1, 2]);
    rejects(() => F.crossEntropy(x, t), 'crossEntropy: target shape [3] does not match input shape [2, 3] (expected [2])');
    x.dispose();
    t.dispose();
  });
  it('F.mseLoss shapes [2, 3] vs [3, 2]', () => {
    const a = zeros([2, 3]).keep();
    const b = zeros([3, 2]).keep();
    rejects(() => F.mseLoss(a, b), 'mseLoss: input shape [2, 3] and target shape [3, 2] must match');
    a.dispose();
    b.dispose();
  });
});

describe('pooling', () => {
  it('F.maxPool2d kernel 2 padding 2 (> kernel/2)', () => {
    const x = zeros([1, 1, 8, 8]).keep();
    rejects(() => F.maxPool2d(x, { kernelSize: 2, padding: 2 }), 'maxPool2d: padding [2, 2] must be at most half the kernel size [2, 2]');
    x.dispose();
  });
  it('MaxPool2d layer kernel 3 padding 2', () => {
    rejects(() => new nn.MaxPool2d({ kernelSize: 3, padding: 2 }), 'MaxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]');
  });
  it('AvgPool2d layer kernel 3 padding 2', () => {
    rejects(() => new nn.AvgPool2d({ kernelSize: 3, padding: 2 }), 'AvgPool2d: padding [2, 2] must be at most half the kernel size [3, 3]');
  });
  it('F.maxPool1d kernel 2 padding 2', () => {
    const x = zeros([1, 1, 8]).keep();
    rejects(() => F.maxPool1d(x, { kernelSize: 2, padding: 2 }), 'maxPool1d: padding 2 must be at most half the kernel size 2');
    x.dispose();
  });
  it('MaxPool1d layer kernelSize 0 (rejected when built)', () => {
    rejects(() => new nn.MaxPool1d({ kernelSize: 0 }), 'MaxPool1d: kernelSize must be an integer ≥ 1, got 0');
  });
  it('AvgPool1d layer padding 3 kernel 4', () => {
    rejects(() => new nn.AvgPool1d({ kernelSize: 4, padding: 3 }), 'AvgPool1d: padding 3 must be at most half the kernel size 4');
  });
  it('F.avgPool2d stride 0', () => {
    const x = zeros([1, 1, 4, 4]).keep();
    rejects(() => F.avgPool2d(x, { kernelSize: 2, stride: 0 }), 'avgPool2d: stride must be ≥ 1, got [0, 0]');
    x.dispose();
  });
  it('3-D [C, H, W] inputs: F.maxPool2d kernelSize 0, F.avgPool2d padding 2 > 2/2, F.adaptiveAvgPool2d outputSize 0', () => {
    const x = zeros([2, 4, 4]).keep();
    rejects(() => F.maxPool2d(x, { kernelSize: 0 }), 'maxPool2d: kernelSize must be ≥ 1, got [0, 0]');
    rejects(() => F.avgPool2d(x, { kernelSize: 2, padding: 2 }), 'avgPool2d: padding [2, 2] must be at most half the kernel size [2, 2]');
    rejects(() => F.adaptiveAvgPool2d(x, 0), 'adaptiveAvgPool2d: outputSize must be ≥ 1, got [0, 0]');
    x.dispose();
  });
  it('F.maxPool2d kernel 3 on a 2×2 input', () => {
    const x = zeros([1, 1, 2, 2]).keep();
    rejects(() => F.maxPool2d(x, { kernelSize: 3 }), 'maxPool2d: kernel [3, 3]', 'larger than the input 2×2');
    x.dispose();
  });
});

describe('layers, optimizers and schedulers', () => {
  it('F.dropout p 1.5', () => {
    const x = zeros([2, 2]).keep();
    rejects(() => F.dropout(x, 1.5), 'dropout: p must be a probability in [0, 1], got 1.5');
    x.dispose();
  });
  it('Dropout layer p 1.5', () => {
    rejects(() => new nn.Dropout({ p: 1.5 }), 'Dropout: p must be a probability in [0, 1], got 1.5');
  });
  it('SGD lr -1', () => {
    const p = zeros([2]).keep();
    rejects(() => new optim.SGD([p], { lr: -1 }), 'SGD: lr must be a finite number ≥ 0, got -1');
    p.dispose();
  });
  it('Adam lr -1', () => {
    const p = zeros([2]).keep();
    rejects(() => new optim.Adam([p], { lr: -1 }), 'Adam: lr must be a finite number ≥ 0, got -1');
    p.dispose();
  });
  it('Adam betas [1, 0.9]', () => {
    const p = zeros([2]).keep();
    rejects(() => new optim.Adam([p], { betas: [1, 0.9] }), 'Adam: betas[0] must be in [0, 1), got 1');
    p.dispose();
  });
  it('StepLR stepSize 0', () => {
    const p = zeros([2]).keep();
    const opt = new optim.SGD([p], { lr: 0.1 });
    rejects(() => new optim.StepLR(opt, { stepSize: 0 }), 'StepLR: stepSize must be an integer ≥ 1, got 0');
    expect(opt.lr).toBe(0.1);
    p.dispose();
  });
  it('CosineAnnealingLR tMax 0', () => {
    const p = zeros([2]).keep();
    const opt = new optim.SGD([p], { lr: 0.1 });
    rejects(() => new optim.CosineAnnealingLR(opt, { tMax: 0 }), 'CosineAnnealingLR: tMax must be an integer ≥ 1, got 0');
    p.dispose();
  });
});

describe('shapes', () => {
  it('reshape [2, 3] to [4, 2]', () => {
    const x = zeros([2, 3]).keep();
    rejects(() => x.reshape(4, 2), 'reshape: shape [4, 2] (8 elements) does not match input shape [2, 3] (6 elements)');
    x.dispose();
  });
  it('reshape [2, 3] to [-1, 4]', () => {
    const x = zeros([2, 3]).keep();
    rejects(() => x.reshape(-1, 4), 'reshape: cannot infer -1 in [-1, 4] for 6 elements');
    x.dispose();
  });
  it('add [2, 3] + [4] (broadcast mismatch)', () => {
    const a = zeros([2, 3]).keep();
    const b = zeros([4]).keep();
    rejects(() => F.add(a, b), 'add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1: 3 vs 4)');
    rejects(() => a.add(b), 'add: shapes [2, 3] and [4] cannot be broadcast together');
    a.dispose();
    b.dispose();
  });
  it('mul [2, 3] · [3, 2] (broadcast mismatch)', () => {
    const a = zeros([2, 3]).keep();
    const b = zeros([3, 2]).keep();
    rejects(() => F.mul(a, b), 'mul: shapes [2, 3] and [3, 2] cannot be broadcast together');
    a.dispose();
    b.dispose();
  });
  it('concat [2, 3] with [2, 4] along dim 0', () => {
    const a = zeros([2, 3]).keep();
    const b = zeros([2, 4]).keep();
    rejects(() => F.concat([a, b], 0), 'concat: tensors[1] has shape [2, 4], incompatible with [2, 3] along dim 0');
    a.dispose();
    b.dispose();
  });
  it('softmax dim 2 on a 2-D tensor', () => {
    const x = zeros([2, 3]).keep();
    rejects(() => F.softmax(x, 2), 'softmax: dim must be an integer in [-2, 1], got 2');
    x.dispose();
  });
  it('slice step 0', () => {
    const x = zeros([2, 3]).keep();
    rejects(() => F.slice(x, 1, 0, 3, 0), 'slice: step must be an integer ≥ 1, got 0');
    x.dispose();
  });
  it('broadcastTo [2, 3] → [4, 3]', () => {
    const x = zeros([2, 3]).keep();
    rejects(() => F.broadcastTo(x, [4, 3]), 'broadcastTo: cannot broadcast shape [2, 3] to [4, 3]');
    x.dispose();
  });
});

describe('containers', () => {
  it('a Sequential whose Linear rejects the flattened input frees the activations made before it', () => {
    const net = new nn.Sequential(new nn.ReLU(), new nn.Flatten(), new nn.Linear({ inFeatures: 3, outFeatures: 2 }));
    const x = zeros([1, 2, 4, 4]).keep();
    rejects(() => net.forward(x), 'Linear: input shape [1, 32] must end in 3 features (weight shape [2, 3])');
    x.dispose();
    net.dispose();
  });
});
