/** summary() knows every nn layer (parameters, MACs, receptive field), inside a custom module made of them too. */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, manualSeed, nn, setBackend, type Tensor } from '@cnn/core';
import { formatSummary, summary } from '../src/index.js';

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(1);
});

/** A MobileNet-v2-style inverted residual written by hand: its own forward, calling the new layers. */
class InvertedResidual extends nn.Module {
  readonly expand = this.registerModule('expand', new nn.Conv2d({ inChannels: 4, outChannels: 8, kernelSize: 1, bias: false }));
  readonly gn = this.registerModule('gn', new nn.GroupNorm({ numGroups: 2, numChannels: 8 }));
  readonly act = this.registerModule('act', new nn.ReLU6());
  readonly dw = this.registerModule('dw', new nn.Conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, groups: 8, bias: false }));
  readonly gate = this.registerModule('gate', new nn.Hardsigmoid());
  readonly project = this.registerModule('project', new nn.Conv2d({ inChannels: 8, outChannels: 4, kernelSize: 1, bias: false }));
  readonly norm = this.registerModule('norm', new nn.InstanceNorm2d({ numFeatures: 4, affine: true }));
  forward(x: Tensor): Tensor {
    const h = this.act.forward(this.dw.forward(this.act.forward(this.gn.forward(this.expand.forward(x)))));
    return F.add(x, this.norm.forward(this.project.forward(F.mul(h, this.gate.forward(h)))));
  }
}

describe('summary of the new layers', () => {
  it('a custom module and a Sequential of every new layer: nothing unknown, parameters, MACs and receptive fields', () => {
    const m = new nn.Sequential(
      new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, stride: 2, padding: 1 }),
      new nn.Hardswish(),
      new InvertedResidual(),
      new nn.PixelUnshuffle({ downscaleFactor: 2 }),
      new nn.ChannelShuffle({ groups: 4 }),
      new nn.ReflectionPad2d({ padding: 1 }),
      new nn.Conv2d({ inChannels: 16, outChannels: 8, kernelSize: 3 }),
      new nn.SiLU(),
      new nn.Mish(),
      new nn.Softplus({ beta: 2 }),
      new nn.PReLU({ numParameters: 8 }),
      new nn.Hardtanh(),
      new nn.Dropout2d({ p: 0.1 }),
      new nn.PixelShuffle({ upscaleFactor: 2 }),
      new nn.ZeroPad2d({ padding: 1 }),
      new nn.ReplicationPad2d({ padding: 1 }),
      new nn.LayerNorm({ normalizedShape: [12, 12] }),
      new nn.Unfold({ kernelSize: 2, stride: 2 }),
      new nn.Fold({ outputSize: 12, kernelSize: 2, stride: 2 }),
      new nn.Flatten(),
      new nn.Linear({ inFeatures: 288, outFeatures: 5 }),
    );
    const s = summary(m, [1, 3, 16, 16], { strict: true });
    expect(s.unknownTypes).toEqual([]);
    const row = new Map(s.layers.map((l) => [l.name, l]));
    expect(row.get('0')).toMatchObject({ outputShape: [1, 4, 8, 8], macs: 4 * 8 * 8 * 3 * 9, receptiveField: [3, 3], jump: [2, 2] });
    expect(row.get('2.gn')).toMatchObject({ type: 'GroupNorm', params: 16, macs: 0, receptiveField: [3, 3] });
    expect(row.get('2.act#2')).toMatchObject({ type: 'ReLU6', params: 0, receptiveField: [7, 7], jump: [2, 2] });
    expect(row.get('2.dw')).toMatchObject({ macs: 8 * 8 * 8 * 9, receptiveField: [7, 7] });
    expect(row.get('2.norm')).toMatchObject({ type: 'InstanceNorm2d', params: 8, receptiveField: [7, 7] });
    expect(row.get('3')).toMatchObject({ type: 'PixelUnshuffle', outputShape: [1, 16, 4, 4], receptiveField: [9, 9], jump: [4, 4] });
    expect(row.get('4')).toMatchObject({ type: 'ChannelShuffle', receptiveField: [9, 9], jump: [4, 4] });
    expect(row.get('5')).toMatchObject({ type: 'ReflectionPad2d', outputShape: [1, 16, 6, 6], receptiveField: [9, 9], jump: [4, 4] });
    expect(row.get('6')).toMatchObject({ outputShape: [1, 8, 4, 4], macs: 8 * 4 * 4 * 16 * 9, receptiveField: [17, 17], jump: [4, 4] });
    expect(row.get('10')).toMatchObject({ type: 'PReLU', params: 8, macs: 0, receptiveField: [17, 17] });
    expect(row.get('13')).toMatchObject({ type: 'PixelShuffle', outputShape: [1, 2, 8, 8], receptiveField: [17, 17], jump: [2, 2] });
    expect(row.get('15')).toMatchObject({ type: 'ReplicationPad2d', outputShape: [1, 2, 12, 12], receptiveField: [17, 17], jump: [2, 2] });
    expect(row.get('16')).toMatchObject({ type: 'LayerNorm', params: 288, receptiveField: [17, 17] });
    expect(row.get('17')).toMatchObject({ type: 'Unfold', outputShape: [1, 8, 36], receptiveField: null, macs: 0 });
    expect(row.get('18')).toMatchObject({ type: 'Fold', outputShape: [1, 2, 12, 12], receptiveField: null });
    expect(row.get('20')).toMatchObject({ macs: 288 * 5, params: 288 * 5 + 5 });
    // Every parameter belongs to exactly one row.
    expect(s.layers.reduce((a, l) => a + l.params, 0)).toBe(s.totalParams);
    expect(formatSummary(s)).not.toContain('(?)');
    m.dispose();
  });
});
