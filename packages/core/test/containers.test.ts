/** ModuleList / ModuleDict (PyTorch's API and dotted names) and model configs: moduleConfig → JSON → buildModule. */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, manualSeed, nn, noGrad, randn, setBackend, type Tensor } from '@cnn/core';

beforeAll(async () => {
  await setBackend('cpu');
});

const conv = (i: number, o: number): nn.Conv2d => new nn.Conv2d({ inChannels: i, outChannels: o, kernelSize: 3, padding: 1 });

class Block extends nn.Module {
  readonly conv: nn.Conv2d;
  readonly bn: nn.BatchNorm2d;
  constructor(c: number) {
    super();
    this.conv = this.registerModule('conv', conv(c, c));
    this.bn = this.registerModule('bn', new nn.BatchNorm2d({ numFeatures: c }));
  }
  forward(x: Tensor): Tensor {
    return this.bn.forward(this.conv.forward(x));
  }
}

describe('nn.ModuleList', () => {
  it("registers modules under '0', '1', … so parameters have PyTorch's dotted names", () => {
    class Net extends nn.Module {
      readonly blocks = this.registerModule('blocks', new nn.ModuleList([new Block(2), new Block(2)]));
      forward(x: Tensor): Tensor {
        for (const b of this.blocks) x = b.forward(x);
        return x;
      }
    }
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual([
      'blocks.0.conv.weight', 'blocks.0.conv.bias', 'blocks.0.bn.weight', 'blocks.0.bn.bias', 'blocks.0.bn.running_mean', 'blocks.0.bn.running_var', 'blocks.0.bn.num_batches_tracked',
      'blocks.1.conv.weight', 'blocks.1.conv.bias', 'blocks.1.bn.weight', 'blocks.1.bn.bias', 'blocks.1.bn.running_mean', 'blocks.1.bn.running_var', 'blocks.1.bn.num_batches_tracked',
    ]);
    expect(net.forward(randn([1, 2, 4, 4])).shape).toEqual([1, 2, 4, 4]);
    net.dispose();
  });

  it('append / extend / insert / pop / set / at / length / iteration, renumbering as PyTorch', () => {
    const [a, b, c, d] = [new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid(), new nn.Linear({ inFeatures: 2, outFeatures: 2 })];
    const list = new nn.ModuleList().append(a).extend([b, c]);
    expect(list.length).toBe(3);
    expect(list.at(-1)).toBe(c);
    list.insert(1, d); // a, d, b, c
    expect([...list]).toEqual([a, d, b, c]);
    expect(list.namedChildren().map(([n, m]) => [n, m])).toEqual([['0', a], ['1', d], ['2', b], ['3', c]]);
    expect(Object.keys(list.stateDict())).toEqual(['1.weight', '1.bias']);
    expect(list.pop(1)).toBe(d);
    expect(list.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    list.set(0, d);
    expect(Object.keys(list.stateDict())).toEqual(['0.weight', '0.bias']);
    list.insert(-1, a); // Python: before the last
    expect([...list]).toEqual([d, b, a, c]);
    list.insert(99, new nn.Identity()); // clamped, as list.insert
    expect(list.length).toBe(5);
    expect(() => list.at(5)).toThrow(/ModuleList\.at: index 5 is out of range for 5 modules/);
    expect(() => list.append({} as nn.Module)).toThrow(/ModuleList\.append: module must be a Module, got Object/);
    expect(() => list.forward()).toThrow(/ModuleList: has no forward/);
    list.dispose();
  });
});

describe('nn.ModuleDict', () => {
  it('registers modules under their keys, in insertion order; get / set / has / delete / keys / entries', () => {
    const dict = new nn.ModuleDict({ cls: new nn.Linear({ inFeatures: 4, outFeatures: 3 }), box: new nn.Linear({ inFeatures: 4, outFeatures: 2, bias: false }) });
    expect(Object.keys(dict.stateDict())).toEqual(['cls.weight', 'cls.bias', 'box.weight']);
    expect([...dict.keys()]).toEqual(['cls', 'box']);
    expect(dict.get('cls')).toBeInstanceOf(nn.Linear);
    expect(dict.has('box') && !dict.has('x')).toBe(true);
    const relu = new nn.ReLU();
    dict.set('cls', relu); // replaced in place
    expect([...dict.entries()].map(([k, m]) => [k, m.typeName])).toEqual([['cls', 'ReLU'], ['box', 'Linear']]);
    expect(dict.delete('box')).toBe(true);
    expect(dict.length).toBe(1);
    expect(Object.keys(dict.stateDict())).toEqual([]);
    expect(() => dict.set('a.b', relu)).toThrow(/ModuleDict\.set: key must be a non-empty string without '\.', got 'a\.b'/);
    expect(() => new nn.ModuleDict([['x', 3 as unknown as nn.Module]])).toThrow(/ModuleDict: module 'x' must be a Module/);
    dict.dispose();
  });
});

/** One sample of every built-in layer type: its config and an input shape it takes. */
const SAMPLES: Record<string, { config: nn.ModuleConfig; input: number[] }> = {
  Conv1d: { config: { type: 'Conv1d', inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, dilation: 1, groups: 1, bias: false, paddingMode: 'reflect' }, input: [2, 2, 9] },
  Conv2d: { config: { type: 'Conv2d', inChannels: 2, outChannels: 4, kernelSize: [3, 2], stride: [1, 2], padding: 'valid', dilation: 1, groups: 2 }, input: [2, 2, 7, 7] },
  DepthwiseSeparableConv2d: { config: { type: 'DepthwiseSeparableConv2d', inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, depthMultiplier: 2 }, input: [2, 2, 5, 5] },
  SpatialSeparableConv2d: { config: { type: 'SpatialSeparableConv2d', inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, stride: 2 }, input: [2, 2, 6, 6] },
  ConvTranspose1d: { config: { type: 'ConvTranspose1d', inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, outputPadding: 1 }, input: [2, 2, 5] },
  ConvTranspose2d: { config: { type: 'ConvTranspose2d', inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, groups: 2 }, input: [2, 2, 4, 4] },
  Upsample: { config: { type: 'Upsample', scaleFactor: 2, mode: 'bilinear', alignCorners: true }, input: [1, 2, 3, 3] },
  MaxPool1d: { config: { type: 'MaxPool1d', kernelSize: 3, stride: 2, padding: 1, ceilMode: true }, input: [2, 2, 8] },
  MaxPool2d: { config: { type: 'MaxPool2d', kernelSize: 2, dilation: 2 }, input: [2, 2, 7, 7] },
  AvgPool1d: { config: { type: 'AvgPool1d', kernelSize: 2, countIncludePad: false, padding: 1 }, input: [2, 2, 8] },
  AvgPool2d: { config: { type: 'AvgPool2d', kernelSize: [2, 3], stride: 1 }, input: [2, 2, 5, 5] },
  AdaptiveAvgPool2d: { config: { type: 'AdaptiveAvgPool2d', outputSize: [2, 3] }, input: [2, 2, 5, 7] },
  AdaptiveMaxPool2d: { config: { type: 'AdaptiveMaxPool2d', outputSize: 2 }, input: [2, 2, 5, 5] },
  GlobalAvgPool2d: { config: { type: 'GlobalAvgPool2d' }, input: [2, 2, 3, 3] },
  BatchNorm1d: { config: { type: 'BatchNorm1d', numFeatures: 3, momentum: 0.5, eps: 1e-3 }, input: [4, 3, 5] },
  BatchNorm2d: { config: { type: 'BatchNorm2d', numFeatures: 2, affine: false }, input: [3, 2, 3, 3] },
  Dropout: { config: { type: 'Dropout', p: 0.25 }, input: [2, 6] },
  Linear: { config: { type: 'Linear', inFeatures: 6, outFeatures: 3 }, input: [2, 6] },
  Flatten: { config: { type: 'Flatten', startDim: 2 }, input: [2, 2, 3, 3] },
  Identity: { config: { type: 'Identity' }, input: [2, 3] },
  ReLU: { config: { type: 'ReLU' }, input: [2, 5] },
  LeakyReLU: { config: { type: 'LeakyReLU', negativeSlope: 0.2 }, input: [2, 5] },
  ELU: { config: { type: 'ELU', alpha: 0.5 }, input: [2, 5] },
  GELU: { config: { type: 'GELU' }, input: [2, 5] },
  Sigmoid: { config: { type: 'Sigmoid' }, input: [2, 5] },
  Tanh: { config: { type: 'Tanh' }, input: [2, 5] },
  Softmax: { config: { type: 'Softmax', dim: 1 }, input: [2, 5] },
  LogSoftmax: { config: { type: 'LogSoftmax', dim: 0 }, input: [2, 5] },
  ReLU6: { config: { type: 'ReLU6' }, input: [2, 5] },
  Hardtanh: { config: { type: 'Hardtanh', minVal: -0.5, maxVal: 2 }, input: [2, 5] },
  Hardswish: { config: { type: 'Hardswish' }, input: [2, 5] },
  Hardsigmoid: { config: { type: 'Hardsigmoid' }, input: [2, 5] },
  SiLU: { config: { type: 'SiLU' }, input: [2, 5] },
  Mish: { config: { type: 'Mish' }, input: [2, 5] },
  Softplus: { config: { type: 'Softplus', beta: 2, threshold: 10 }, input: [2, 5] },
  PReLU: { config: { type: 'PReLU', numParameters: 3, init: 0.1 }, input: [2, 3, 4] },
  GroupNorm: { config: { type: 'GroupNorm', numGroups: 2, numChannels: 4, eps: 1e-3 }, input: [2, 4, 3, 3] },
  LayerNorm: { config: { type: 'LayerNorm', normalizedShape: [3, 3], elementwiseAffine: true, bias: false }, input: [2, 2, 3, 3] },
  InstanceNorm2d: { config: { type: 'InstanceNorm2d', numFeatures: 2, affine: true, trackRunningStats: true, momentum: 0.3 }, input: [2, 2, 4, 4] },
  Dropout2d: { config: { type: 'Dropout2d', p: 0.2 }, input: [2, 3, 2, 2] },
  ZeroPad2d: { config: { type: 'ZeroPad2d', padding: [1, 0, -1, 2] }, input: [1, 2, 3, 3] },
  ReflectionPad2d: { config: { type: 'ReflectionPad2d', padding: 2 }, input: [1, 2, 3, 3] },
  ReplicationPad2d: { config: { type: 'ReplicationPad2d', padding: [0, 1, 2, 3] }, input: [1, 2, 3, 3] },
  PixelShuffle: { config: { type: 'PixelShuffle', upscaleFactor: 2 }, input: [1, 8, 2, 2] },
  PixelUnshuffle: { config: { type: 'PixelUnshuffle', downscaleFactor: 2 }, input: [1, 2, 4, 4] },
  ChannelShuffle: { config: { type: 'ChannelShuffle', groups: 2 }, input: [1, 4, 2, 2] },
  Unfold: { config: { type: 'Unfold', kernelSize: [2, 3], dilation: 1, padding: 1, stride: 2 }, input: [1, 2, 5, 5] },
  Fold: { config: { type: 'Fold', outputSize: [4, 5], kernelSize: 2, stride: 1 }, input: [1, 8, 12] },
};

const CONTAINERS = ['Sequential', 'ModuleList', 'ModuleDict'];

/** Saves `m` as a config (through JSON text) and its state dict, builds it again, loads the weights. */
function roundTrip(m: nn.Module): nn.Module {
  const text = JSON.stringify(nn.moduleConfig(m));
  const back = nn.buildModule(JSON.parse(text));
  back.loadStateDict(m.stateDict());
  return back;
}

function sameOutputs(a: nn.Module, b: nn.Module, shape: number[]): void {
  const x = randn(shape);
  const [ya, yb] = noGrad(() => [a.eval().forward(x), b.eval().forward(x)]);
  expect(yb.shape).toEqual(ya.shape);
  expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync())); // same weights, same ops: bit for bit
  for (const t of [x, ya, yb]) t.dispose();
}

describe('moduleConfig / buildModule', () => {
  it('the samples cover every registered layer type', () => {
    expect(nn.layerTypes().filter((t) => !CONTAINERS.includes(t) && !(t in SAMPLES))).toEqual([]);
  });

  for (const [type, { config, input }] of Object.entries(SAMPLES)) {
    it(`${type}: nested Sequential → JSON → buildModule → same outputs`, () => {
      manualSeed(7);
      const layer = nn.buildModule(config);
      expect(layer.typeName).toBe(type);
      const m = new nn.Sequential(new nn.Sequential(layer), new nn.Identity());
      noGrad(() => m.train().forward(randn(input)).dispose()); // moves BN running statistics off their defaults
      const cfg = nn.moduleConfig(m);
      expect(cfg).toMatchObject({ type: 'Sequential', layers: [{ type: 'Sequential', layers: [config] }, { type: 'Identity' }] }); // some layers fill in defaults
      const back = roundTrip(m);
      expect(Object.keys(back.stateDict())).toEqual(Object.keys(m.stateDict()));
      sameOutputs(m, back, input);
      m.dispose();
      back.dispose();
    });
  }

  it('a realistic nested model, and ModuleList / ModuleDict configs (their modules and weights)', () => {
    const m = new nn.Sequential(
      new nn.Sequential(conv(1, 4), new nn.BatchNorm2d({ numFeatures: 4 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 })),
      new nn.Sequential(conv(4, 8), new nn.ReLU()),
      new nn.GlobalAvgPool2d(),
      new nn.Linear({ inFeatures: 8, outFeatures: 3 }),
    );
    const back = roundTrip(m);
    expect(nn.moduleConfig(back)).toEqual(nn.moduleConfig(m));
    sameOutputs(m, back, [2, 1, 8, 8]);

    const list = new nn.ModuleList([conv(1, 2), new nn.Sequential(new nn.ReLU())]);
    expect(nn.moduleConfig(list)).toEqual({
      type: 'ModuleList',
      modules: [{ type: 'Conv2d', inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1 }, { type: 'Sequential', layers: [{ type: 'ReLU' }] }],
    });
    const list2 = roundTrip(list) as nn.ModuleList;
    expect(list2).toBeInstanceOf(nn.ModuleList);
    sameOutputs(list.at(0), list2.at(0), [1, 1, 4, 4]);

    const dict = new nn.ModuleDict({ head: new nn.Linear({ inFeatures: 2, outFeatures: 2 }), act: new nn.GELU() });
    const dict2 = roundTrip(dict) as nn.ModuleDict;
    expect([...dict2.keys()]).toEqual(['head', 'act']);
    sameOutputs(dict.get('head')!, dict2.get('head')!, [3, 2]);
    // Integer-like keys: a JSON object would list them first; the config's `order` keeps insertion order.
    const numeric = new nn.ModuleDict([['b', new nn.ReLU()], ['10', new nn.Tanh()], ['2', new nn.GELU()]]);
    expect([...(roundTrip(numeric) as nn.ModuleDict).keys()]).toEqual(['b', '10', '2']);
    expect(() => nn.buildModule({ type: 'ModuleDict', modules: { a: { type: 'ReLU' } }, order: ['a', 'b'] })).toThrow(/buildModule: order must list each key of modules once/);
    for (const x of [m, back, list, list2, dict, dict2]) x.dispose();
  });

  it('options are the layer’s own copy, defaults filled in where the layer resolves them', () => {
    const k: [number, number] = [3, 3];
    const c = new nn.Conv2d({ inChannels: 1, outChannels: 1, kernelSize: k });
    k[0] = 5;
    expect(c.options.kernelSize).toEqual([3, 3]);
    expect(nn.moduleConfig(new nn.BatchNorm2d({ numFeatures: 2 }))).toEqual({ type: 'BatchNorm2d', numFeatures: 2, eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true });
    expect(nn.moduleConfig(new nn.Linear({ inFeatures: 2, outFeatures: 3 }))).toEqual({ type: 'Linear', inFeatures: 2, outFeatures: 3, bias: true });
    expect(nn.moduleConfig(new nn.Dropout())).toEqual({ type: 'Dropout', p: 0.5 });
  });

  it('a custom Module with its own forward cannot be saved: the error names it, where it is, and what to do', () => {
    const m = new nn.Sequential(conv(2, 2), new nn.Sequential(new nn.ReLU(), new Block(2)));
    expect(() => nn.moduleConfig(m)).toThrow(CnnError);
    expect(() => nn.moduleConfig(m)).toThrow(/moduleConfig: layers\[1\]\.layers\[1\] \(module '1\.1'\) is a Block, a custom Module with its own forward: code cannot be saved as a config\. Build the model from built-in layers in nn\.Sequential/);
    expect(() => nn.moduleConfig(new Block(2))).toThrow(/moduleConfig: the model is a Block, a custom Module/);
    class MyConv extends nn.Conv2d {}
    expect(() => nn.moduleConfig(new MyConv({ inChannels: 1, outChannels: 1, kernelSize: 1 }))).toThrow(/the model is a MyConv, a custom Module/);
    expect(() => nn.moduleConfig(new nn.Sequential(new nn.ModuleList()))).toThrow(/moduleConfig: layers\[0\] is a ModuleList, which has no forward, so the Sequential holding it cannot run/);
    for (const x of [m]) x.dispose();
  });

  it('configs stay data: unknown types, unknown options, bad values and non-JSON values are errors naming the place', () => {
    const bad: [unknown, RegExp][] = [
      [null, /buildModule: config must be an object like \{ "type": "Conv2d", \.\.\. \}, got null/],
      [{ layers: [] }, /buildModule: type must be a string naming a layer type \(one of .*Conv2d.*Sequential/],
      [{ type: 'Conv3d' }, /buildModule: type: unknown layer type 'Conv3d'; known types: Conv1d, Conv2d/],
      [{ type: 'Sequential', layers: [{ type: 'ReLU' }, { type: 'ReLU' }, { type: 'ReLU' }, { type: 'Conv9d' }] }, /buildModule: layers\[3\]\.type: unknown layer type 'Conv9d'/],
      [{ type: 'Sequential', layers: [{ type: 'Sequential', layers: [{ type: 'Conv2d', inChannels: 1, outChannels: 1, kernelSize: 3, strdie: 2 }] }] },
        /buildModule: layers\[0\]\.layers\[0\]\.strdie: unknown option 'strdie' for Conv2d; its options: inChannels, outChannels, kernelSize, stride/],
      [{ type: 'ReLU', inplace: true }, /buildModule: inplace: unknown option 'inplace' for ReLU; it takes no options/],
      [{ type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 0, outFeatures: 2 }] }, /buildModule: layers\[0\] \(Linear\): Linear: inFeatures must be an integer ≥ 1, got 0/],
      [{ type: 'Sequential', layers: { 0: { type: 'ReLU' } } }, /buildModule: layers must be a list of layer configs, got a Object/],
      [{ type: 'Sequential', layers: [], extra: 1 }, /buildModule: extra: unknown option 'extra' for Sequential; its options: layers/],
      [{ type: 'Sequential', layers: [{ type: 'ModuleList', modules: [] }] }, /buildModule: layers\[0\] is a ModuleList, which has no forward/],
      [{ type: 'ModuleDict', modules: { 'a.b': { type: 'ReLU' } } }, /buildModule: modules key "a\.b" must be non-empty and without '\.'/],
      [{ type: 'Sequential', layers: [{ type: 'Dropout', p: () => 0.5 }] }, /buildModule: config\.layers\[0\]\.p must be JSON data .*got a function/],
      [{ type: 'Sequential', layers: [{ type: 'Dropout', p: NaN }] }, /buildModule: config\.layers\[0\]\.p must be JSON data, got NaN/],
      [{ type: '__proto__' }, /unknown layer type '__proto__'/],
      [{ type: 'constructor' }, /unknown layer type 'constructor'/],
    ];
    for (const [config, message] of bad) {
      expect(() => nn.buildModule(config)).toThrow(CnnError);
      expect(() => nn.buildModule(config)).toThrow(message);
    }
  });

  it('extra types (as @cnn/models passes its architectures) and registerLayer for a user layer', () => {
    const built = nn.buildModule({ type: 'Sequential', layers: [{ type: 'mine', width: 3 }] }, {
      types: { mine: (o) => new nn.Linear({ inFeatures: o.width as number, outFeatures: 1 }) },
    });
    expect(Object.keys(built.stateDict())).toEqual(['0.weight', '0.bias']);
    class Scale extends nn.Module {
      static readonly layerName = 'TestScale';
      readonly options: { factor: number };
      constructor(options: { factor: number }) {
        super();
        this.options = { factor: options.factor };
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.options.factor);
      }
    }
    nn.registerLayer(Scale, ['factor']);
    const s = roundTrip(new nn.Sequential(new Scale({ factor: 2 })));
    expect(nn.moduleConfig(s)).toEqual({ type: 'Sequential', layers: [{ type: 'TestScale', factor: 2 }] });
    expect(() => nn.registerLayer(class extends nn.Module {
      static readonly layerName = 'ReLU';
      forward(x: Tensor): Tensor {
        return x;
      }
    })).toThrow(/registerLayer: layerName 'ReLU' is already used by another class/);
    built.dispose();
  });
});
