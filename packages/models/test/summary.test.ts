/** summary(): shapes, parameters, MACs and receptive fields from one traced forward pass. */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, manualSeed, memory, nn, setBackend } from '@cnn/core';
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
