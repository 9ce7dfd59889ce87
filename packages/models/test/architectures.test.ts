/** Architectures: torchvision names / shapes / parameter counts, and logits vs PyTorch under shared pseudo-weights. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, F, getBackend, manualSeed, memory, nn, noGrad, randn, randint, setBackend, type Tensor } from '@cnn/core';
import { models } from '../src/index.js';
import { applyPseudo, pseudoInput } from './pseudo.js';

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(0);
});

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const shapes = fixture('torchvision-shapes.json') as Record<string, { numParameters: number; stateDict: [string, number[], string][] }>;
const forward = fixture('forward.json') as {
  tolerance: { rtol: number; atol: number };
  cases: { name: string; config: Record<string, unknown>; inputShape: number[]; logits: number[]; outputShape: number[] }[];
};

/** [name, shape, dtype] of our state dict, with int32 reported as PyTorch's int64 (num_batches_tracked). */
function stateDictShapes(m: nn.Module): [string, number[], string][] {
  return Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape], t.dtype === 'int32' ? 'int64' : t.dtype]);
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, atol: number, label: string): number {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    worst = Math.max(worst, d / (atol + rtol * Math.abs(expected[i])));
    if (d > atol + rtol * Math.abs(expected[i])) expect.fail(`${label}[${i}]: got ${actual[i]}, expected ${expected[i]} (|diff| ${d})`);
  }
  return worst;
}

// Built once (61 M parameters take a while to initialise): shared by the shape test and the logits test.
let alexnet: models.AlexNet | null = null;
const sharedAlexnet = (_options?: object): models.AlexNet => (alexnet ??= models.alexnet()); // the default config: 1000 classes

const factories: Record<string, () => nn.Module> = {
  alexnet: sharedAlexnet,
  resnet18: () => models.resnet18(),
  resnet34: () => models.resnet34(),
  resnet18_cifar10: () => models.resnet18({ numClasses: 10, stem: 'cifar' }),
  mnistNet: () => models.mnistCnn(),
};

describe('state-dict names, shapes and parameter counts identical to torchvision / PyTorch', () => {
  it('parameter counts: AlexNet 61,100,840 and ResNet-18 11,689,512 (1000 classes)', () => {
    expect(shapes.alexnet.numParameters).toBe(61_100_840);
    expect(shapes.resnet18.numParameters).toBe(11_689_512);
  });

  for (const [key, make] of Object.entries(factories)) {
    it(`${key}: every parameter and buffer, in order`, () => {
      const m = make();
      try {
        expect(stateDictShapes(m)).toEqual(shapes[key].stateDict);
        expect(m.numParameters()).toBe(shapes[key].numParameters);
      } finally {
        if (m !== alexnet) m.dispose();
      }
    });
  }
});

describe('logits vs PyTorch (float64 oracle), full-size networks with deterministic pseudo-weights, eval mode', () => {
  for (const c of forward.cases) {
    it(`${c.name} on [${c.inputShape.join(', ')}]`, () => {
      const { type, ...opts } = c.config;
      const make = { resnet18: models.resnet18, alexnet: sharedAlexnet, mnistCnn: models.mnistCnn }[type as string]!;
      const m = make(opts as never);
      try {
        applyPseudo(m);
        m.eval();
        const x = pseudoInput(c.inputShape);
        const y = noGrad(() => m.forward(x));
        expect(y.shape).toEqual(c.outputShape);
        expectClose(y.dataSync(), c.logits, forward.tolerance.rtol, forward.tolerance.atol, c.name);
        y.dispose();
        x.dispose();
      } finally {
        m.dispose();
      }
    });
  }
});

describe('eval-mode fusion: fused convs (batch norm folded) agree with the layer-by-layer network', () => {
  const nets: [string, () => nn.Module][] = [
    ['resnet18', () => models.resnet18()],
    ['mobilenetV1', () => models.mobilenetV1()],
  ];
  for (const [name, make] of nets) {
    it(`${name} on [1, 3, 64, 64]: logits within 1e-4, every conv fused`, () => {
      const m = make();
      const backend = getBackend();
      const own = backend.fusedConv2d!;
      let calls = 0;
      backend.fusedConv2d = function (...args) {
        calls++;
        return own.apply(this, args);
      };
      try {
        applyPseudo(m);
        m.eval();
        const x = pseudoInput([1, 3, 64, 64]);
        const fused = noGrad(() => m.forward(x));
        const convs = m.namedModules().filter(([, c]) => c instanceof nn.Conv2d).length;
        expect(calls).toBe(convs);
        const layered = m.forward(x); // parameters require grad: recorded, so layer by layer
        expect(calls).toBe(convs);
        const [a, b] = [fused.dataSync(), layered.dataSync()];
        let maxDiff = 0;
        for (let i = 0; i < b.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        expect(maxDiff).toBeLessThan(1e-4);
        for (const t of [x, fused, layered]) t.dispose();
      } finally {
        delete (backend as { fusedConv2d?: unknown }).fusedConv2d;
        if (backend.fusedConv2d !== own) backend.fusedConv2d = own;
        m.dispose();
      }
    });
  }
});

describe('lenet5', () => {
  it('classic sizes: 61,706 parameters, 1×28×28 → 10 logits, flatten 400', () => {
    const m = models.lenet5();
    expect(m.numParameters()).toBe(61_706);
    expect(m.classifier.at(0)).toBeInstanceOf(nn.Linear);
    expect((m.classifier.at(0) as nn.Linear).weight.shape).toEqual([120, 400]);
    const y = m.forward(randn([2, 1, 28, 28]));
    expect(y.shape).toEqual([2, 10]);
    expect(Object.keys(m.stateDict())).toEqual([
      'features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias',
      'classifier.0.weight', 'classifier.0.bias', 'classifier.2.weight', 'classifier.2.bias', 'classifier.4.weight', 'classifier.4.bias',
    ]);
    m.dispose();
  });

  it('the original tanh / average pooling variant, and other input sizes (flatten size follows inputSize)', () => {
    const m = models.lenet5({ activation: 'tanh', pool: 'avg', inputSize: 32, numClasses: 5, inChannels: 3 });
    expect(m.features.at(1)).toBeInstanceOf(nn.Tanh);
    expect(m.features.at(2)).toBeInstanceOf(nn.AvgPool2d);
    expect((m.classifier.at(0) as nn.Linear).weight.shape).toEqual([120, 16 * 6 * 6]);
    expect(m.forward(randn([1, 3, 32, 32])).shape).toEqual([1, 5]);
    expect(() => models.lenet5({ inputSize: 8 })).toThrow(/too small/);
  });
});

describe('mnistCnn', () => {
  it("PyTorch example names (conv1, conv2, fc1, fc2), 1,199,882 parameters, logits", () => {
    const m = models.mnistCnn();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(m.fc1.weight.shape).toEqual([128, 9216]);
    expect(m.numParameters()).toBe(1_199_882);
    expect(m.dropout1.p).toBe(0.25);
    expect(m.dropout2.p).toBe(0.5);
    expect(m.forward(randn([3, 1, 28, 28])).shape).toEqual([3, 10]);
  });
});

describe('vgg', () => {
  it('((conv→BN→ReLU)×k → maxpool)×m, classifier sized from inputSize', () => {
    const m = models.vgg({ inChannels: 3, numClasses: 10, blocks: [[8, 8], [16]], batchNorm: true, inputSize: 16, classifier: [32] });
    const types = m.features.namedChildren().map(([, l]) => l.typeName);
    expect(types).toEqual(['Conv2d', 'BatchNorm2d', 'ReLU', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d']);
    expect((m.classifier.at(0) as nn.Linear).weight.shape).toEqual([32, 16 * 4 * 4]);
    expect(m.classifier.namedChildren().map(([, l]) => l.typeName)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear']);
    expect(m.forward(randn([2, 3, 16, 16])).shape).toEqual([2, 10]);
  });

  it('VGG-16 conv stack: 14,714,688 parameters as torchvision; adaptivePool makes any input size work', () => {
    const m = models.vgg({ blocks: models.VGG16_BLOCKS, batchNorm: false, classifier: [], numClasses: 10 });
    expect(m.numParameters()).toBe(14_714_688 + 512 * 10 + 10);
    m.dispose();
    const a = models.vgg({ blocks: [[4], [8]], batchNorm: false, adaptivePool: 3, classifier: [], numClasses: 2 });
    expect(Object.keys(a.stateDict())).toEqual(['features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias', 'classifier.0.weight', 'classifier.0.bias']);
    expect(a.forward(randn([1, 3, 20, 20])).shape).toEqual([1, 2]);
    expect(a.forward(randn([1, 3, 13, 13])).shape).toEqual([1, 2]);
  });

  it('rejects bad blocks and too-small inputs', () => {
    expect(() => models.vgg({ blocks: [] })).toThrow(/blocks must be a non-empty list/);
    expect(() => models.vgg({ blocks: [[64, 0]] })).toThrow(/blocks\[0\]/);
    expect(() => models.vgg({ blocks: [[4], [4], [4]], inputSize: 4 })).toThrow(/too small/);
  });
});

describe('resnet18', () => {
  it("cifar stem: 3×3 stride-1 conv1, no maxpool", () => {
    const m = models.resnet18({ numClasses: 10, stem: 'cifar' });
    expect(m.conv1.weight.shape).toEqual([64, 3, 3, 3]);
    expect(m.maxpool).toBeNull();
    expect(m.namedModules().some(([n]) => n === 'maxpool')).toBe(false);
    const y = m.forward(randn([2, 3, 32, 32]));
    expect(y.shape).toEqual([2, 10]);
  });

  it('forward and backward own their intermediates: no tensors leak (train and eval)', () => {
    const m = models.resnet18({ numClasses: 4, stem: 'cifar' });
    const x = randn([2, 3, 8, 8]);
    const target = randint(0, 4, [2]);
    const before = memory().numTensors;
    for (const train of [true, false]) {
      m.train(train);
      const y = m.forward(x);
      y.dispose();
      expect(memory().numTensors).toBe(before);
    }
    m.train();
    const y = m.forward(x);
    const loss = F.crossEntropy(y, target);
    loss.backward();
    loss.dispose();
    y.dispose();
    const grads = m.parameters().filter((p) => p.grad).length;
    expect(grads).toBe(m.parameters().length);
    m.zeroGrad();
    expect(memory().numTensors).toBe(before);
    expect((m.stateDict()['layer1.0.bn1.num_batches_tracked'] as Tensor).dataSync()[0]).toBe(2);
  });

  it('a failing block frees what it made (wrong channel count)', () => {
    const m = models.resnet18({ numClasses: 4, stem: 'cifar' });
    const x = randn([1, 5, 8, 8]);
    const before = memory().numTensors;
    expect(() => m.forward(x)).toThrow(CnnError);
    expect(memory().numTensors).toBe(before);
  });
});

describe('mobilenetV1', () => {
  it('4,231,976 parameters at α = 1, 1000 classes; depthwise-separable blocks with BN + ReLU', () => {
    const m = models.mobilenetV1();
    expect(m.numParameters()).toBe(4_231_976);
    const b = m.blocks.at(0) as models.DepthwiseSeparableBlock;
    expect(b.namedChildren().map(([n, l]) => `${n}:${l.typeName}`)).toEqual(['depthwise:Conv2d', 'bn1:BatchNorm2d', 'relu1:ReLU', 'pointwise:Conv2d', 'bn2:BatchNorm2d', 'relu2:ReLU']);
    expect(b.depthwise.config.groups).toBe(32);
    expect(b.depthwise.weight.shape).toEqual([32, 1, 3, 3]);
    m.dispose();
  });

  it('width multiplier scales channels; cifar stem on 32×32', () => {
    const m = models.mobilenetV1({ widthMultiplier: 0.25, numClasses: 10, stem: 'cifar' });
    expect(m.fc.weight.shape).toEqual([10, 256]);
    expect((m.stem.at(0) as nn.Conv2d).weight.shape).toEqual([8, 3, 3, 3]);
    expect(m.forward(randn([2, 3, 32, 32])).shape).toEqual([2, 10]);
  });
});

describe('option validation', () => {
  it('unknown options and bad values are errors that name them', () => {
    expect(() => models.resnet18({ numClass: 10 } as never)).toThrow(/resnet18: unknown option 'numClass'; allowed options: numClasses, inChannels, stem/);
    expect(() => models.resnet18({ stem: 'big' } as never)).toThrow(/stem must be one of 'imagenet', 'cifar', got 'big'/);
    expect(() => models.alexnet({ numClasses: 0 })).toThrow(/numClasses must be an integer ≥ 1, got 0/);
    expect(() => models.mobilenetV1({ widthMultiplier: -1 })).toThrow(/widthMultiplier/);
    expect(() => models.mnistCnn({ dropout1: 2 })).toThrow(/dropout1 must be a number in \[0, 1\]/);
  });
});
