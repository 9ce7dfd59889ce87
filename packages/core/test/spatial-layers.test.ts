/**
 * Dropout2d (shape and scale properties: it is random), the 2-D padding layers, PixelShuffle / PixelUnshuffle and
 * ChannelShuffle, and the validation errors of every issue-13 normalisation and spatial layer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, Generator, manualSeed, nn, randn, setBackend, tensor, tidy, zeros, type Tensor } from '@cnn/core';
import { counts, expectClose, rejects, vals } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

const iota = (shape: number[]): Tensor => tensor(Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, (_, i) => i), shape);

describe('F.dropout2d / nn.Dropout2d', () => {
  it('zeroes whole channels, scales the others by 1/(1−p), keeps about 1−p of them; gradient is the same mask', () => {
    for (const p of [0.2, 0.5, 0.8]) {
      tidy(() => {
        const [n, c, h, w] = [40, 50, 2, 3];
        const x = randn([n, c, h, w]);
        x.requiresGrad = true;
        manualSeed(11);
        const y = F.dropout2d(x, p);
        expect(y.shape).toEqual([n, c, h, w]);
        y.sum().backward();
        const xv = vals(x);
        const yv = vals(y);
        const g = vals(x.grad!);
        const scale = Math.fround(1 / (1 - p));
        let dropped = 0;
        for (let k = 0; k < n * c; k++) {
          const s = g[k * h * w];
          expect(s === 0 || s === scale, `p=${p} channel ${k} scale ${s}`).toBe(true);
          if (s === 0) dropped++;
          for (let i = k * h * w; i < (k + 1) * h * w; i++) {
            expect(g[i]).toBe(s); // the whole channel shares its fate
            expect(yv[i]).toBe(Math.fround(xv[i] * s));
          }
        }
        // binomial over n·c = 2000 channels: within 5σ
        expect(Math.abs(dropped - p * n * c), `p=${p} dropped ${dropped}`).toBeLessThan(5 * Math.sqrt(n * c * p * (1 - p)));
      });
    }
  });

  it('eval and p = 0 are the identity; p = 1 zeroes everything; a seeded generator repeats its mask', () => {
    tidy(() => {
      const x = randn([2, 3, 2, 2]);
      const layer = new nn.Dropout2d({ p: 0.5 });
      expect(layer.options).toEqual({ p: 0.5 });
      layer.eval();
      expect(vals(layer.forward(x))).toEqual(vals(x));
      expect(vals(F.dropout2d(x, 0))).toEqual(vals(x));
      expect(vals(F.dropout2d(x, 1)).every((v) => v === 0)).toBe(true);
      const a = vals(F.dropout2d(x, 0.5, true, new Generator(4)));
      const b = vals(F.dropout2d(x, 0.5, true, new Generator(4)));
      expect(a).toEqual(b);
    });
  });

  it('leaks nothing in training with a gradient', () => {
    const x = randn([2, 3, 4, 4]);
    x.requiresGrad = true;
    const layer = new nn.Dropout2d({ p: 0.3 });
    const before = counts();
    tidy(() => layer.forward(x).sum().backward());
    x.grad = null;
    expect(counts()).toEqual(before);
    x.dispose();
  });
});

describe('ZeroPad2d, ReflectionPad2d, ReplicationPad2d', () => {
  it('match F.pad in their mode (int or [left, right, top, bottom], 3-D and 4-D inputs)', () => {
    tidy(() => {
      const x = iota([2, 3, 4, 5]);
      const cases: [nn.Module, number[], 'constant' | 'reflect' | 'replicate'][] = [
        [new nn.ZeroPad2d({ padding: 2 }), [2, 2, 2, 2], 'constant'],
        [new nn.ZeroPad2d({ padding: [1, 0, 2, 3] }), [1, 0, 2, 3], 'constant'],
        [new nn.ReflectionPad2d({ padding: [3, 1, 0, 2] }), [3, 1, 0, 2], 'reflect'],
        [new nn.ReplicationPad2d({ padding: 3 }), [3, 3, 3, 3], 'replicate'],
      ];
      for (const [layer, pads, mode] of cases) {
        expect(vals(layer.forward(x)), layer.typeName).toEqual(vals(F.pad(x, pads, { mode })));
        const x3 = iota([3, 4, 5]);
        expect(layer.forward(x3).shape).toEqual([3, 4 + pads[2] + pads[3], 5 + pads[0] + pads[1]]);
      }
    });
  });

  it('ZeroPad2d crops with negative padding, as PyTorch; gradients flow back', () => {
    tidy(() => {
      const x = iota([1, 1, 3, 4]);
      x.requiresGrad = true;
      const y = new nn.ZeroPad2d({ padding: [-1, 1, 0, -1] }).forward(x);
      expect(y.shape).toEqual([1, 1, 2, 4]);
      expect(vals(y)).toEqual([1, 2, 3, 0, 5, 6, 7, 0]);
      y.sum().backward();
      expect(vals(x.grad!)).toEqual([0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0]);
      const r = iota([1, 1, 3, 3]);
      r.requiresGrad = true;
      new nn.ReflectionPad2d({ padding: 1 }).forward(r).sum().backward();
      // reflection maps the 5 padded rows to 1 0 1 2 1: the middle row and column are read 3 times, so the centre 9
      expect(vals(r.grad!)).toEqual([1, 3, 1, 3, 9, 3, 1, 3, 1]);
    });
  });
});

describe('pixelShuffle, pixelUnshuffle, channelShuffle', () => {
  it("pixelShuffle puts channel c·r² + i·r + j at (h·r + i, w·r + j); pixelUnshuffle inverts it", () => {
    tidy(() => {
      const [c, r, h, w] = [2, 3, 2, 4];
      const x = iota([2, c * r * r, h, w]);
      const y = new nn.PixelShuffle({ upscaleFactor: r }).forward(x);
      expect(y.shape).toEqual([2, c, h * r, w * r]);
      const yv = vals(y);
      const at = (n: number, ch: number, hh: number, ww: number): number => ((n * c + ch) * h * r + hh) * w * r + ww;
      for (let n = 0; n < 2; n++)
        for (let ch = 0; ch < c; ch++)
          for (let i = 0; i < r; i++)
            for (let j = 0; j < r; j++)
              for (let hh = 0; hh < h; hh++)
                for (let ww = 0; ww < w; ww++) {
                  expect(yv[at(n, ch, hh * r + i, ww * r + j)]).toBe((((n * c * r * r + ch * r * r + i * r + j) * h + hh) * w) + ww);
                }
      expect(vals(new nn.PixelUnshuffle({ downscaleFactor: r }).forward(y))).toEqual(vals(x));
    });
  });

  it('channelShuffle sends input channel g·(C/groups) + j to output channel j·groups + g', () => {
    tidy(() => {
      const x = iota([1, 6, 1, 2]);
      const y = new nn.ChannelShuffle({ groups: 2 }).forward(x);
      // channels 0 1 2 | 3 4 5 → 0 3 1 4 2 5
      expect(vals(y)).toEqual([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]);
      const x3 = iota([2, 6, 5]);
      x3.requiresGrad = true;
      const y3 = F.channelShuffle(x3, 3);
      y3.mul(iota([2, 6, 5])).sum().backward();
      // the gradient is the inverse permutation of the output weights
      expect(vals(x3.grad!)).toEqual(vals(F.channelShuffle(iota([2, 6, 5]), 2)));
    });
  });
});

describe('validation: the layer or op, the argument, the value and what is allowed; nothing allocated', () => {
  let x: Tensor;
  /** Inputs made before the measured calls (a rejected call must allocate nothing). */
  const made = new Map<string, Tensor>();
  const z = (shape: number[]): Tensor => made.get(shape.join())!;
  beforeAll(() => {
    x = zeros([2, 6, 4, 4]).keep();
    for (const s of [[4], [5], [6], [2, 6, 1, 1], [6, 4], [1, 5, 2, 2], [2, 6, 4], [4, 4], [2, 6]]) made.set(s.join(), zeros(s).keep());
  });

  it('GroupNorm / F.groupNorm', () => {
    rejects(() => new nn.GroupNorm({ numGroups: 4, numChannels: 6 }), 'GroupNorm: numGroups 4 must divide numChannels 6');
    rejects(() => new nn.GroupNorm({ numGroups: 0, numChannels: 6 }), 'GroupNorm: numGroups must be an integer ≥ 1, got 0');
    rejects(() => new nn.GroupNorm({ numGroups: 2, numChannels: 6, eps: -1 }), 'GroupNorm: eps must be a finite number ≥ 0, got -1');
    rejects(() => new nn.GroupNorm({ numGroups: 2, numChannels: 6, affine: 1 as unknown as boolean }), 'GroupNorm: affine must be true or false, got 1');
    const gn = new nn.GroupNorm({ numGroups: 2, numChannels: 4 });
    rejects(() => gn.forward(x), 'GroupNorm: input shape [2, 6, 4, 4] has 6 channels, expected 4');
    gn.dispose();
    rejects(() => F.groupNorm(x, 4), 'groupNorm: numGroups 4 must divide the number of channels 6');
    rejects(() => F.groupNorm(x, 3, z([4])), 'groupNorm: weight must have shape [6] for input shape [2, 6, 4, 4], got [4]');
  });

  it('LayerNorm / F.layerNorm', () => {
    rejects(() => new nn.LayerNorm({ normalizedShape: [] }), 'LayerNorm: normalizedShape must be an integer ≥ 1 or a non-empty list of them, got []');
    rejects(() => new nn.LayerNorm({ normalizedShape: 2.5 }), 'LayerNorm: normalizedShape must be', 'got 2.5');
    const ln = new nn.LayerNorm({ normalizedShape: [4, 5] });
    rejects(() => ln.forward(x), 'LayerNorm: input shape [2, 6, 4, 4] must end in normalizedShape [4, 5]');
    ln.dispose();
    rejects(() => F.layerNorm(x, [6, 4]), 'layerNorm: normalizedShape [6, 4] must equal the last 2 dimensions of the input, got input shape [2, 6, 4, 4]');
    rejects(() => F.layerNorm(x, 4, null, z([5])), 'layerNorm: bias must have shape [4]');
  });

  it('InstanceNorm2d / F.instanceNorm', () => {
    rejects(() => new nn.InstanceNorm2d({ numFeatures: 3, momentum: 2 }), 'InstanceNorm2d: momentum must be in [0, 1], got 2');
    rejects(() => new nn.InstanceNorm2d({ numFeatures: 0 }), 'InstanceNorm2d: numFeatures must be an integer ≥ 1, got 0');
    const m = new nn.InstanceNorm2d({ numFeatures: 6, trackRunningStats: true });
    rejects(() => m.forward(z([2, 6, 1, 1])), 'InstanceNorm2d: normalising with each instance', 'input shape [2, 6, 1, 1]');
    rejects(() => m.forward(z([6, 4])), 'InstanceNorm2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape [6, 4]');
    rejects(() => m.forward(z([1, 5, 2, 2])), 'InstanceNorm2d: input shape [1, 5, 2, 2] has 5 channels, expected numFeatures 6');
    m.eval();
    const y = m.forward(z([2, 6, 1, 1])); // eval with tracked statistics: one spatial element is fine
    y.dispose();
    m.dispose();
    rejects(() => F.instanceNorm(x, z([6])), 'instanceNorm: runningMean and runningVar must be given together, got only runningMean');
    rejects(() => F.instanceNorm(x, null, null, null, null, { useInputStats: false }), 'instanceNorm: useInputStats false normalises with the running statistics');
    rejects(() => F.instanceNorm(z([2, 6])), 'instanceNorm: input must be at least 3-D [N, C, spatial...], got shape [2, 6]');
  });

  it('Dropout2d, the padding layers, the shuffles', () => {
    rejects(() => new nn.Dropout2d({ p: -0.1 }), 'Dropout2d: p must be a probability in [0, 1], got -0.1');
    rejects(() => new nn.Dropout2d().forward(z([2, 6, 4])), 'Dropout2d: input must be 4-D [N, C, H, W], got shape [2, 6, 4]');
    rejects(() => F.dropout2d(x, 2), 'dropout2d: p must be a probability in [0, 1], got 2');
    rejects(() => new nn.ZeroPad2d({ padding: [1, 2] as unknown as number }), 'ZeroPad2d: padding must be an integer or 4 integers [left, right, top, bottom], got [1, 2]');
    rejects(() => new nn.ReplicationPad2d({ padding: -1 }), 'ReplicationPad2d: padding must be ≥ 0, got -1');
    rejects(() => new nn.ReflectionPad2d({ padding: 4 }).forward(x), 'ReflectionPad2d: reflect padding [4, 4] on height must be < input size 4');
    rejects(() => new nn.ZeroPad2d({ padding: -2 }).forward(x), 'ZeroPad2d: padding [-2, -2] on height of size 4 leaves an empty dimension');
    rejects(() => new nn.ZeroPad2d({ padding: 1 }).forward(z([4, 4])), 'ZeroPad2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape [4, 4]');
    rejects(() => new nn.PixelShuffle({ upscaleFactor: 0 }), 'PixelShuffle: upscaleFactor must be an integer ≥ 1, got 0');
    rejects(() => new nn.PixelShuffle({ upscaleFactor: 2 }).forward(x), 'PixelShuffle: input channels 6 must be divisible by upscaleFactor² = 4 (input shape [2, 6, 4, 4])');
    rejects(() => new nn.PixelUnshuffle({ downscaleFactor: 3 }).forward(x), 'PixelUnshuffle: input height 4 and width 4 must be divisible by downscaleFactor 3');
    rejects(() => F.pixelShuffle(z([4, 4]), 2), 'pixelShuffle: input must be at least 3-D');
    rejects(() => new nn.ChannelShuffle({ groups: 4 }).forward(x), 'ChannelShuffle: groups 4 must divide the number of channels 6');
    rejects(() => F.channelShuffle(x, 1.5), 'channelShuffle: groups must be an integer ≥ 1, got 1.5');
  });

  it('layer options are JSON-able and rebuild the same layer', () => {
    const layers = [
      new nn.Dropout2d({ p: 0.1 }),
      new nn.ZeroPad2d({ padding: [1, -1, 0, 2] }),
      new nn.ReflectionPad2d({ padding: 1 }),
      new nn.ReplicationPad2d({ padding: [0, 1, 2, 3] }),
      new nn.PixelShuffle({ upscaleFactor: 2 }),
      new nn.PixelUnshuffle({ downscaleFactor: 2 }),
      new nn.ChannelShuffle({ groups: 3 }),
    ];
    tidy(() => {
      for (const layer of layers) {
        const ctor = layer.constructor as unknown as { layerName: string; new (o: unknown): nn.Module & { options: unknown } };
        expect(ctor.layerName).toBe(layer.typeName);
        const again = new ctor(JSON.parse(JSON.stringify(layer.options)));
        expect(again.options).toEqual(layer.options);
        again.eval();
        layer.eval();
        const input = randn([2, 12, 4, 4]);
        expectClose(vals(again.forward(input)), vals(layer.forward(input)));
      }
    });
  });
});
