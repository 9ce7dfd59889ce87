/** summary(): shapes, parameters, MACs and receptive fields from one traced forward pass. */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, F, manualSeed, memory, nn, setBackend, type Tensor } from '@cnn/core';
import { formatSummary, models, summary } from '../src/index.js';

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(1);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('required totals at 1×3×224×224', () => {
  it('ResNet-18: 1,814,073,344 MACs, 11,689,512 parameters, receptive field 435 before the pool', () => {
    const m = models.resnet18();
    const s = summary(m, [1, 3, 224, 224]);
    expect(s.totalMacs).toBe(1_814_073_344);
    expect(s.totalParams).toBe(11_689_512);
    expect(s.outputShape).toEqual([1, 1000]);
    const byName = new Map(s.layers.map((l) => [l.name, l]));
    expect(byName.get('conv1')).toMatchObject({ type: 'Conv2d', outputShape: [1, 64, 112, 112], params: 9408, macs: 118_013_952, receptiveField: [7, 7], jump: [2, 2] });
    expect(byName.get('maxpool')).toMatchObject({ outputShape: [1, 64, 56, 56], receptiveField: [11, 11], jump: [4, 4] });
    // The residual add takes the main path's receptive field, not the 1×1 downsample's.
    expect(byName.get('layer2.0.downsample.0')).toMatchObject({ receptiveField: [43, 43], jump: [8, 8] });
    expect(byName.get('layer2.0.relu#2')).toMatchObject({ receptiveField: [67, 67], jump: [8, 8], params: 0 });
    expect(byName.get('layer4.1.relu#2')).toMatchObject({ outputShape: [1, 512, 7, 7], receptiveField: [435, 435], jump: [32, 32] });
    expect(byName.get('fc')).toMatchObject({ macs: 512_000, params: 513_000, receptiveField: null, jump: null });
    // Every parameter is attributed to exactly one layer.
    expect(s.layers.reduce((a, l) => a + l.params, 0)).toBe(11_689_512);
    m.dispose();
  });

  it('AlexNet: 714,188,480 MACs, 61,100,840 parameters, receptive field 195', () => {
    const m = models.alexnet();
    const s = summary(m, [1, 3, 224, 224]);
    expect(s.totalMacs).toBe(714_188_480);
    expect(s.totalParams).toBe(61_100_840);
    expect(s.layers.map((l) => l.name).slice(0, 3)).toEqual(['features.0', 'features.1', 'features.2']);
    expect(s.layers.find((l) => l.name === 'features.12')).toMatchObject({ outputShape: [1, 256, 6, 6], receptiveField: [195, 195], jump: [32, 32] });
    expect(s.layers.find((l) => l.name === 'classifier.1')).toMatchObject({ macs: 37_748_736, params: 37_752_832 });
    m.dispose();
  });
});

describe('the worked example: 10 filters 3×3 on a 15×15×3 input, no padding', () => {
  it('standard convolution: 45,630 multiplications', () => {
    const conv = new nn.Conv2d({ inChannels: 3, outChannels: 10, kernelSize: 3 });
    const s = summary(conv, [1, 3, 15, 15]);
    expect(s.totalMacs).toBe(45_630);
    expect(s.layers).toEqual([
      { name: '', type: 'Conv2d', inputShape: [1, 3, 15, 15], outputShape: [1, 10, 13, 13], params: 280, macs: 45_630, receptiveField: [3, 3], jump: [1, 1] },
    ]);
  });

  it('depthwise-separable: 4,563 + 5,070 = 9,633', () => {
    const sep = new nn.DepthwiseSeparableConv2d({ inChannels: 3, outChannels: 10, kernelSize: 3, bias: false });
    const s = summary(sep, [1, 3, 15, 15]);
    expect(s.layers.map((l) => [l.name, l.macs, l.receptiveField])).toEqual([['depthwise', 4_563, [3, 3]], ['pointwise', 5_070, [3, 3]]]);
    expect(s.totalMacs).toBe(9_633);
    expect(s.totalParams).toBe(27 + 30);
  });
});

describe('receptive fields', () => {
  it('follow r_out = r_in + (k−1)·d·j_in, j_out = j_in·s (dilation, stride, rectangular kernels)', () => {
    const net = new nn.Sequential(
      new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, dilation: 2 }), // r 5, j 1
      new nn.MaxPool2d({ kernelSize: 2 }), // r 6, j 2
      new nn.Conv2d({ inChannels: 2, outChannels: 2, kernelSize: [3, 1], stride: [2, 1] }), // r [10, 6], j [4, 2]
      new nn.AvgPool2d({ kernelSize: 2, stride: 1 }), // r [14, 8]
      new nn.Flatten(),
      new nn.Linear({ inFeatures: 2 * 5 * 13, outFeatures: 3 }),
    );
    const s = summary(net, [2, 1, 32, 32]);
    expect(s.layers.map((l) => [l.name, l.receptiveField, l.jump])).toEqual([
      ['0', [5, 5], [1, 1]], ['1', [6, 6], [2, 2]], ['2', [10, 6], [4, 2]], ['3', [14, 8], [4, 2]], ['4', null, null], ['5', null, null],
    ]);
    expect(s.layers[5].macs).toBe(2 * 3 * 130); // batch 2
    expect(s.layers[3].outputShape).toEqual([2, 2, 5, 13]);
  });

  it('MobileNet v1 (α = 1, 224×224): 568,740,352 MACs (the paper\'s "569 million")', () => {
    const m = models.mobilenetV1();
    const s = summary(m, [1, 3, 224, 224]);
    expect(s.totalMacs).toBe(568_740_352);
    expect(s.totalParams).toBe(4_231_976);
    m.dispose();
  });
});

describe('side effects', () => {
  it('runs in eval mode without touching BN statistics, restores training flags and forward, and frees everything', () => {
    const m = models.resnet18({ numClasses: 10, stem: 'cifar' });
    m.train();
    m.layer1.eval(); // mixed modes are restored exactly
    const before = memory().numTensors;
    const stats = Object.fromEntries(m.namedBuffers().map(([k, t]) => [k, Array.from(t.dataSync())]));
    summary(m, [1, 3, 8, 8]);
    expect(memory().numTensors).toBe(before);
    expect(m.training).toBe(true);
    expect(m.layer1.training).toBe(false);
    expect(m.layer1.namedModules().every(([, x]) => !x.training)).toBe(true);
    expect(m.layer2.training).toBe(true);
    for (const [k, t] of m.namedBuffers()) expect(Array.from(t.dataSync()), k).toEqual(stats[k]);
    for (const [, x] of m.namedModules()) expect(Object.prototype.hasOwnProperty.call(x, 'forward')).toBe(false);
  });

  it('a failing forward (input too small) restores the model and frees what it made', () => {
    const m = models.lenet5();
    const before = memory().numTensors;
    expect(() => summary(m, [1, 1, 8, 8])).toThrow(CnnError);
    expect(memory().numTensors).toBe(before);
    for (const [, x] of m.namedModules()) expect(Object.prototype.hasOwnProperty.call(x, 'forward')).toBe(false);
    expect(m.training).toBe(true);
    m.dispose();
  });

  it('rejects bad input shapes', () => {
    expect(() => summary(models.lenet5(), [1, 1, 28.5, 28])).toThrow(/inputShape must be a list of positive integers/);
    expect(() => summary(models.lenet5(), [] as number[])).toThrow(/inputShape/);
  });
});

describe('formatSummary / print', () => {
  it('prints a table with every layer and the totals', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const s = summary(models.lenet5(), [1, 1, 28, 28], { print: true });
    expect(log).toHaveBeenCalledTimes(1);
    const text = formatSummary(s);
    expect(log.mock.calls[0][0]).toBe(text);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Layer\s+Type\s+Output shape\s+Params\s+MACs\s+RF\s+Jump$/);
    expect(text).toContain('features.0');
    expect(text).toMatch(/features\.0\s+Conv2d\s+\[1, 6, 28, 28\]\s+156\s+117,600\s+5\s+1/);
    expect(text).toContain('Total params: 61,706');
    expect(text).toContain(`Total MACs: ${s.totalMacs.toLocaleString('en-US')}`);
    // LeNet-5: 117,600 + 240,000 + 48,000 + 10,080 + 840
    expect(s.totalMacs).toBe(416_520);
  });
});

describe('decoders: transposed convs, upsampling, skip connections', () => {
  it('autoencoder 1×28×28: MACs of a transposed conv = input elements × (Cout/groups) × kH × kW; receptive fields grow by ⌊(k−1)/s⌋ input steps', () => {
    const m = models.autoencoder();
    const s = summary(m, [1, 1, 28, 28]);
    expect(s.unknownTypes).toEqual([]);
    expect(s.layers.map((l) => [l.name, l.type, l.outputShape, l.params, l.macs, l.receptiveField?.[0], l.jump?.[0]])).toEqual([
      ['encoder.0', 'Conv2d', [1, 16, 28, 28], 160, 28 * 28 * 16 * 9, 3, 1],
      ['encoder.1', 'ReLU', [1, 16, 28, 28], 0, 0, 3, 1],
      ['encoder.2', 'MaxPool2d', [1, 16, 14, 14], 0, 0, 4, 2],
      ['encoder.3', 'Conv2d', [1, 32, 14, 14], 4640, 14 * 14 * 32 * 16 * 9, 8, 2],
      ['encoder.4', 'ReLU', [1, 32, 14, 14], 0, 0, 8, 2],
      ['encoder.5', 'MaxPool2d', [1, 32, 7, 7], 0, 0, 10, 4],
      // 7·7·32 input elements, each scattered into 16 channels × 4×4 taps; one output reads 2 inputs per axis (span 1·j 4)
      ['decoder.0', 'ConvTranspose2d', [1, 16, 14, 14], 8208, 7 * 7 * 32 * 16 * 16, 14, 2],
      ['decoder.1', 'ReLU', [1, 16, 14, 14], 0, 0, 14, 2],
      ['decoder.2', 'ConvTranspose2d', [1, 1, 28, 28], 257, 14 * 14 * 16 * 1 * 16, 16, 1],
    ]);
    expect(s.totalMacs).toBe(112_896 + 903_168 + 401_408 + 50_176);
    expect(s.totalParams).toBe(13_265);
    m.dispose();
  });

  it('U-Net (transposed conv): the concatenation takes the upsampled path\'s receptive field; 44 at the output', () => {
    const m = models.unet();
    const s = summary(m, [1, 1, 28, 28]);
    const row = new Map(s.layers.map((l) => [l.name, l]));
    expect(row.get('enc2.5')).toMatchObject({ receptiveField: [14, 14], jump: [2, 2] });
    expect(row.get('pool#2')).toMatchObject({ outputShape: [1, 32, 7, 7], receptiveField: [16, 16], jump: [4, 4], params: 0 });
    expect(row.get('bottleneck.5')).toMatchObject({ receptiveField: [32, 32], jump: [4, 4] });
    // 2×2 stride 2: every output reads one input (span ⌊1/2⌋ = 0), the jump halves.
    expect(row.get('up2')).toMatchObject({ type: 'ConvTranspose2d', inputShape: [1, 64, 7, 7], outputShape: [1, 32, 14, 14], params: 8224, macs: 7 * 7 * 64 * 32 * 4, receptiveField: [32, 32], jump: [2, 2] });
    expect(row.get('dec2.0')).toMatchObject({ inputShape: [1, 64, 14, 14], receptiveField: [36, 36], jump: [2, 2] });
    expect(row.get('up1')).toMatchObject({ outputShape: [1, 16, 28, 28], receptiveField: [40, 40], jump: [1, 1] });
    expect(row.get('dec1.0')).toMatchObject({ inputShape: [1, 32, 28, 28], receptiveField: [42, 42] });
    expect(row.get('head')).toMatchObject({ outputShape: [1, 1, 28, 28], params: 17, macs: 28 * 28 * 16, receptiveField: [44, 44], jump: [1, 1] });
    expect(s.layers.reduce((a, l) => a + l.params, 0)).toBe(117_073);
    m.dispose();
  });

  it('U-Net (bilinear): Upsample widens the receptive field by one input step and halves the jump; no MACs', () => {
    const m = models.unet({ upsample: 'bilinear' });
    const s = summary(m, [1, 1, 28, 28]);
    const row = new Map(s.layers.map((l) => [l.name, l]));
    expect(row.get('up2.0')).toMatchObject({ type: 'Upsample', outputShape: [1, 64, 14, 14], params: 0, macs: 0, receptiveField: [36, 36], jump: [2, 2] });
    expect(row.get('up2.1')).toMatchObject({ type: 'Conv2d', macs: 14 * 14 * 32 * 64, receptiveField: [36, 36] });
    expect(row.get('up1.0')).toMatchObject({ receptiveField: [46, 46], jump: [1, 1] });
    expect(row.get('head')).toMatchObject({ receptiveField: [50, 50], jump: [1, 1] });
    expect(s.totalParams).toBe(109_393);
    m.dispose();
  });

  it('nearest upsampling keeps the receptive field (jump below 1 pixel); ConvTranspose1d and dilation', () => {
    const up = new nn.Sequential(new nn.Upsample({ scaleFactor: 2 }), new nn.Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, padding: 1 }));
    const s = summary(up, [1, 1, 5, 6]);
    expect(s.layers.map((l) => [l.type, l.receptiveField, l.jump])).toEqual([['Upsample', [1, 1], [0.5, 0.5]], ['Conv2d', [2, 2], [0.5, 0.5]]]);
    const seq = new nn.Sequential(
      new nn.Conv1d({ inChannels: 2, outChannels: 3, kernelSize: 3 }),
      new nn.ConvTranspose1d({ inChannels: 3, outChannels: 2, kernelSize: 3, stride: 2, dilation: 2 }),
    );
    const t = summary(seq, [1, 2, 10]);
    expect(t.layers.map((l) => [l.type, l.outputShape, l.macs, l.receptiveField, l.jump])).toEqual([
      ['Conv1d', [1, 3, 8], 3 * 8 * 2 * 3, [1, 3], [1, 1]],
      ['ConvTranspose1d', [1, 2, 19], 3 * 8 * 2 * 3, [1, 3 + 2], [1, 0.5]], // span ⌊(3−1)·2/2⌋ = 2
    ]);
    const grouped = summary(new nn.ConvTranspose2d({ inChannels: 4, outChannels: 6, kernelSize: [3, 2], stride: [2, 1], groups: 2 }), [2, 4, 5, 5]);
    expect(grouped.layers[0].macs).toBe(2 * 4 * 5 * 5 * (6 / 2) * 3 * 2);
    expect(grouped.layers[0]).toMatchObject({ receptiveField: [2, 2], jump: [0.5, 1] });
  });

  it('the tracer passes extra forward arguments through (ConvTranspose2d outputSize)', () => {
    class Up extends nn.Module {
      readonly ct = this.registerModule('ct', new nn.ConvTranspose2d({ inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padding: 1 }));
      forward(x: Tensor): Tensor {
        return this.ct.forward(x, [2 * x.shape[2], 2 * x.shape[3]]);
      }
    }
    const s = summary(new Up(), [1, 1, 7, 7]);
    expect(s.layers[0]).toMatchObject({ name: 'ct', outputShape: [1, 1, 14, 14], receptiveField: [2, 2], jump: [0.5, 0.5] });
  });
});

describe('layer types summary does not know', () => {
  class Swish extends nn.Module {
    forward(x: Tensor): Tensor {
      return F.mul(x, F.sigmoid(x));
    }
  }
  const net = () => new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }), new Swish(), new nn.Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3 }),
  );

  it('are marked (row.unknown, unknownTypes, "(?)" and a note in the table), never silently counted as known', () => {
    const s = summary(net(), [1, 1, 9, 9]);
    expect(s.unknownTypes).toEqual(['Swish']);
    expect(s.layers.map((l) => [l.name, l.type, l.unknown, l.receptiveField])).toEqual([
      ['0', 'Conv2d', undefined, [3, 3]], ['1', 'Swish', true, null], ['2', 'Conv2d', undefined, null],
    ]);
    expect(s.layers[1].macs).toBe(0);
    expect(s.layers[2].macs).toBe(5 * 5 * 2 * 2 * 9); // known layers after it still count
    const text = formatSummary(s);
    expect(text).toMatch(/^1\s+Swish \(\?\)\s+\[1, 2, 7, 7\]/m);
    expect(text).toContain('Total MACs: 1,782 (0.000 G) + unknown');
    expect(text).toContain('(?) layer types summary does not know: Swish — their MACs are not counted and receptive fields after them are unknown');
    expect(formatSummary(summary(models.lenet5(), [1, 1, 28, 28]))).not.toContain('(?)');
  });

  it('are an error with strict: true, and everything is freed', () => {
    const m = net();
    const before = memory().numTensors;
    expect(() => summary(m, [1, 1, 9, 9], { strict: true })).toThrow(CnnError);
    expect(() => summary(m, [1, 1, 9, 9], { strict: true })).toThrow("summary: layer '1' is a Swish, a layer type summary does not know");
    expect(memory().numTensors).toBe(before);
  });

  it('tripwire: @cnn/core nn has the layer types the rules were written for (a new one needs a rule here)', () => {
    const leaves: nn.Module[] = [];
    for (const [, v] of Object.entries(nn)) {
      if (typeof v !== 'function' || !(v.prototype instanceof nn.Module)) continue;
      leaves.push(v as unknown as nn.Module);
    }
    // The RF rules and the pointwise list name these; a new leaf layer in core must be added to one of them.
    const names = leaves.map((c) => (c as unknown as { layerName?: string; name: string }).layerName ?? (c as unknown as { name: string }).name).sort();
    expect(names).toEqual([
      'AdaptiveAvgPool2d', 'AdaptiveMaxPool2d', 'AvgPool1d', 'AvgPool2d', 'BatchNorm1d', 'BatchNorm2d', 'ChannelShuffle', 'Conv1d', 'Conv2d', 'ConvTranspose1d',
      'ConvTranspose2d', 'DepthwiseSeparableConv2d', 'Dropout', 'Dropout2d', 'ELU', 'Flatten', 'Fold', 'GELU', 'GlobalAvgPool2d', 'GroupNorm', 'Hardsigmoid',
      'Hardswish', 'Hardtanh', 'Identity', 'InstanceNorm2d', 'LayerNorm', 'LeakyReLU', 'Linear', 'LogSoftmax', 'MaxPool1d', 'MaxPool2d', 'Mish',
      'ModuleDict', 'ModuleList', 'PReLU', 'PixelShuffle', 'PixelUnshuffle', 'ReLU', 'ReLU6', 'ReflectionPad2d', 'ReplicationPad2d', 'Sequential',
      'SiLU', 'Sigmoid', 'Softmax', 'Softplus', 'SpatialSeparableConv2d', 'Tanh', 'Unfold', 'Upsample', 'ZeroPad2d',
    ]);
  });
});
