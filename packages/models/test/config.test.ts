/** Architecture configs: model.config records the build, buildModel rebuilds it, nothing unknown gets through. */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, nn, setBackend, type Tensor } from '@cnn/core';
import { buildModel, MODEL_TYPES, modelConfig, models } from '../src/index.js';

beforeAll(async () => {
  await setBackend('cpu');
});

const shapesOf = (m: nn.Module): [string, number[]][] => Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]);

describe('model.config and buildModel', () => {
  const cases: [string, () => nn.Module & { config: object }, object][] = [
    ['lenet5', () => models.lenet5(), { type: 'lenet5', numClasses: 10, inChannels: 1, inputSize: 28, activation: 'relu', pool: 'max' }],
    ['mnistCnn', () => models.mnistCnn({ dropout2: 0.3 }), { type: 'mnistCnn', numClasses: 10, inChannels: 1, inputSize: 28, dropout1: 0.25, dropout2: 0.3 }],
    ['vgg', () => models.vgg({ blocks: [[8], [16, 16]], inputSize: 16, numClasses: 4 }), {
      type: 'vgg', inChannels: 3, numClasses: 4, blocks: [[8], [16, 16]], batchNorm: true, inputSize: 16, adaptivePool: 0, classifier: [512], dropout: 0.5,
    }],
    ['alexnet', () => models.alexnet({ numClasses: 10 }), { type: 'alexnet', numClasses: 10, inChannels: 3, dropout: 0.5 }],
    ['resnet18', () => models.resnet18({ numClasses: 10, stem: 'cifar' }), { type: 'resnet18', numClasses: 10, inChannels: 3, stem: 'cifar' }],
    ['resnet34', () => models.resnet34({ numClasses: 2 }), { type: 'resnet34', numClasses: 2, inChannels: 3, stem: 'imagenet' }],
    ['mobilenetV1', () => models.mobilenetV1({ widthMultiplier: 0.5, numClasses: 5 }), {
      type: 'mobilenetV1', numClasses: 5, inChannels: 3, widthMultiplier: 0.5, stem: 'imagenet', dropout: 0,
    }],
    ['autoencoder', () => models.autoencoder({ channels: [8, 16] }), { type: 'autoencoder', inChannels: 1, channels: [8, 16], kernelSize: 3, outActivation: 'none' }],
    ['unet', () => models.unet({ upsample: 'bilinear', outChannels: 2 }), {
      type: 'unet', inChannels: 1, outChannels: 2, baseChannels: 16, depth: 2, upsample: 'bilinear', batchNorm: true, outActivation: 'none',
    }],
  ];
  it('covers every model type', () => {
    expect(cases.map(([t]) => t).sort()).toEqual([...MODEL_TYPES].sort());
  });
  for (const [type, make, expected] of cases) {
    it(`${type}: config records every option (defaults filled in); buildModel(JSON of it) rebuilds the same architecture`, () => {
      const m = make();
      expect(m.config).toEqual(expected);
      const rebuilt = buildModel(JSON.parse(JSON.stringify(m.config)));
      expect(modelConfig(rebuilt)).toEqual(m.config);
      expect(rebuilt.constructor).toBe(m.constructor);
      expect(shapesOf(rebuilt)).toEqual(shapesOf(m));
      expect(modelConfig(m)).toEqual(expected);
      m.dispose();
      rebuilt.dispose();
    });
  }

  it('modelConfig returns a copy', () => {
    const m = models.lenet5();
    const c = modelConfig(m) as { numClasses: number };
    c.numClasses = 3;
    expect(m.config.numClasses).toBe(10);
  });
});

describe('buildModel rejects anything it does not know, with clear errors', () => {
  const bad: [string, unknown, RegExp][] = [
    ['an unknown type', { type: 'transformer' }, /buildModel: unknown model type 'transformer'; known types: lenet5, mnistCnn, vgg, alexnet, resnet18, resnet34, mobilenetV1, autoencoder, unet/],
    ['inherited property names as types', { type: 'constructor' }, /unknown model type 'constructor'/],
    ['__proto__ as a type', JSON.parse('{"type": "__proto__"}'), /unknown model type '__proto__'/],
    ['toString as a type', { type: 'toString' }, /unknown model type 'toString'/],
    ['a missing type', { numClasses: 3 }, /config\.type must be a string naming the architecture/],
    ['a non-string type', { type: ['resnet18'] }, /config\.type must be a string/],
    ['null', null, /config must be a plain object/],
    ['an array', [{ type: 'lenet5' }], /got an array/],
    ['code in a string', { type: 'lenet5', numClasses: '() => 1' }, /lenet5: numClasses must be an integer ≥ 1, got '\(\) => 1'/],
    ['unknown layer options', { type: 'vgg', layers: [{ type: 'Conv2d' }] }, /vgg: unknown option 'layers'/],
    ['malformed blocks', { type: 'vgg', blocks: [['conv']] }, /vgg: blocks\[0\] must be a list of integers/],
    ['a class instance', new (class { type = 'lenet5'; })(), /config must be a plain object/],
  ];
  for (const [what, config, message] of bad) {
    it(what, () => {
      expect(() => buildModel(config)).toThrow(CnnError);
      expect(() => buildModel(config)).toThrow(message);
    });
  }

  it('modelConfig writes nn layers as layer configs and rejects a custom module with its own forward, naming it', () => {
    expect(modelConfig(new nn.Linear({ inFeatures: 2, outFeatures: 2 }))).toEqual({ type: 'Linear', inFeatures: 2, outFeatures: 2, bias: true });
    class Custom extends nn.Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => modelConfig(new nn.Sequential(new nn.ReLU(), new Custom()))).toThrow(
      /modelConfig: layers\[1\] \(module '1'\) is a Custom, a custom Module with its own forward: code cannot be saved as a config\. Build the model from built-in layers in nn\.Sequential/,
    );
  });
});
