/** The encoder–decoder architectures: the denoising autoencoder and the U-Net (transposed-conv and bilinear variants). */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, F, manualSeed, memory, nn, noGrad, randn, setBackend, tidy, type Tensor } from '@cnn/core';
import { buildModel, modelConfig, models } from '../src/index.js';

beforeAll(async () => {
  await setBackend('cpu');
  manualSeed(3);
});

const shapes = (m: nn.Module): [string, number[]][] => Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// PyTorch-equivalent parameter counts, by hand (and checked once against torch 1.13 modules of the same layout):
// conv i→o k×k with bias: o·i·k² + o; transposed conv i→o k×k: i·o·k² + o (weight [i, o, k, k]); BN(c): 2c.
const AE_PARAMS = sum([16 * 1 * 9 + 16, 32 * 16 * 9 + 32, 32 * 16 * 16 + 16, 16 * 1 * 16 + 1]); // 13,265
const doubleConvBn = (i: number, o: number): number => o * i * 9 + 2 * o + o * o * 9 + 2 * o;
const UNET_COMMON = doubleConvBn(1, 16) + doubleConvBn(16, 32) + doubleConvBn(32, 64) + doubleConvBn(64, 32) + doubleConvBn(32, 16) + (16 + 1);
const UNET_CT_PARAMS = UNET_COMMON + (64 * 32 * 4 + 32) + (32 * 16 * 4 + 16); // 117,073
const UNET_BILINEAR_PARAMS = UNET_COMMON + (32 * 64 + 32) + (16 * 32 + 16); // 109,393

/** Forward + backward on x; every parameter gets a finite, non-zero gradient; nothing leaks. */
function checkBackward(m: nn.Module, x: Tensor): void {
  const before = memory().numTensors;
  tidy(() => {
    const y = m.forward(x);
    F.mseLoss(y, randn(y.shape)).backward();
  });
  for (const [name, p] of m.namedParameters()) {
    const g = p.grad;
    expect(g, name).toBeTruthy();
    const v = g!.dataSync();
    expect(v.every(Number.isFinite), name).toBe(true);
    expect(v.some((e) => e !== 0), `${name} has an all-zero gradient`).toBe(true);
  }
  for (const p of m.parameters()) p.grad?.dispose();
  for (const p of m.parameters()) (p as unknown as { grad: Tensor | null }).grad = null;
  expect(memory().numTensors).toBe(before);
}

describe('autoencoder', () => {
  it(`PyTorch layout and ${AE_PARAMS.toLocaleString('en-US')} parameters; 1×28×28 → 1×28×28 (in (0, 1) with the sigmoid)`, () => {
    const m = models.autoencoder({ outActivation: 'sigmoid' });
    expect(AE_PARAMS).toBe(13_265);
    expect(m.numParameters()).toBe(AE_PARAMS);
    expect(shapes(m)).toEqual([
      ['encoder.0.weight', [16, 1, 3, 3]], ['encoder.0.bias', [16]], ['encoder.3.weight', [32, 16, 3, 3]], ['encoder.3.bias', [32]],
      ['decoder.0.weight', [32, 16, 4, 4]], ['decoder.0.bias', [16]], ['decoder.2.weight', [16, 1, 4, 4]], ['decoder.2.bias', [1]],
    ]);
    expect(m.decoder.at(0)).toBeInstanceOf(nn.ConvTranspose2d);
    expect(m.config).toEqual({ type: 'autoencoder', inChannels: 1, channels: [16, 32], kernelSize: 3, outActivation: 'sigmoid' });
    expect(m.decoder.length).toBe(4);
    expect(models.autoencoder().decoder.length).toBe(3); // linear output by default
    const x = randn([2, 1, 28, 28]);
    const y = noGrad(() => m.forward(x));
    expect(y.shape).toEqual([2, 1, 28, 28]);
    const v = y.dataSync();
    expect(v.every((e) => e > 0 && e < 1)).toBe(true);
    y.dispose();
    checkBackward(m, x);
    x.dispose();
    m.dispose();
  });

  it('other widths, depths and channels: 3 levels, RGB, 32×32', () => {
    const m = models.autoencoder({ inChannels: 3, channels: [8, 8, 16], kernelSize: 5 });
    expect(m.numParameters()).toBe(sum([8 * 3 * 25 + 8, 8 * 8 * 25 + 8, 16 * 8 * 25 + 16, 16 * 8 * 16 + 8, 8 * 8 * 16 + 8, 8 * 3 * 16 + 3]));
    const x = randn([1, 3, 32, 24]);
    const y = noGrad(() => m.forward(x));
    expect(y.shape).toEqual([1, 3, 32, 24]);
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });

  it('rejects bad options and inputs with clear errors', () => {
    expect(() => models.autoencoder({ channel: [8] } as never)).toThrow(/autoencoder: unknown option 'channel'; allowed options: inChannels, channels, kernelSize, outActivation/);
    expect(() => models.autoencoder({ kernelSize: 4 })).toThrow(/kernelSize must be odd/);
    expect(() => models.autoencoder({ channels: [] })).toThrow(/channels must list 1 to 6 widths/);
    expect(() => models.autoencoder({ channels: [8, 0] })).toThrow(/channels must be a list of integers ≥ 1/);
    const m = models.autoencoder();
    const x = randn([1, 1, 30, 30]);
    const before = memory().numTensors;
    expect(() => m.forward(x)).toThrow(CnnError);
    expect(() => m.forward(x)).toThrow('autoencoder: input must be [N, 1, H, W] with H and W multiples of 4, got shape [1, 1, 30, 30]');
    expect(memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });
});

describe('unet', () => {
  it(`transposed-conv upsampling: ${UNET_CT_PARAMS.toLocaleString('en-US')} parameters, PyTorch names, 1×28×28 → 1×28×28`, () => {
    const m = models.unet();
    expect(UNET_CT_PARAMS).toBe(117_073);
    expect(m.numParameters()).toBe(UNET_CT_PARAMS);
    expect(m.config).toEqual({ type: 'unet', inChannels: 1, outChannels: 1, baseChannels: 16, depth: 2, upsample: 'convTranspose', batchNorm: true, outActivation: 'none' });
    const sd = shapes(m);
    expect(sd.length).toBe(66); // torch: 66 state-dict entries (BN buffers and num_batches_tracked included)
    expect(sd.map(([k]) => k.split('.')[0]).filter((k, i, a) => a.indexOf(k) === i)).toEqual(['enc1', 'enc2', 'bottleneck', 'up2', 'dec2', 'up1', 'dec1', 'head']);
    expect(Object.fromEntries(sd.filter(([k]) => /^(up\d|head|dec2\.0|enc1\.0)/.test(k)))).toEqual({
      'enc1.0.weight': [16, 1, 3, 3], 'up2.weight': [64, 32, 2, 2], 'up2.bias': [32], 'dec2.0.weight': [32, 64, 3, 3],
      'up1.weight': [32, 16, 2, 2], 'up1.bias': [16], 'head.weight': [1, 16, 1, 1], 'head.bias': [1],
    });
    const x = randn([2, 1, 28, 28]);
    const y = noGrad(() => m.forward(x));
    expect(y.shape).toEqual([2, 1, 28, 28]);
    y.dispose();
    checkBackward(m, x);
    x.dispose();
    m.dispose();
  });

  it(`bilinear upsampling: ${UNET_BILINEAR_PARAMS.toLocaleString('en-US')} parameters (Upsample + 1×1 conv), segmentation head of 3 classes`, () => {
    const m = models.unet({ upsample: 'bilinear', outChannels: 3 });
    expect(UNET_BILINEAR_PARAMS).toBe(109_393);
    expect(m.numParameters()).toBe(UNET_BILINEAR_PARAMS + 2 * (16 + 1)); // 3 output channels instead of 1
    expect((m.namedModules().find(([n]) => n === 'up2.0')?.[1])).toBeInstanceOf(nn.Upsample);
    expect(shapes(m).filter(([k]) => k.startsWith('up'))).toEqual([['up2.1.weight', [32, 64, 1, 1]], ['up2.1.bias', [32]], ['up1.1.weight', [16, 32, 1, 1]], ['up1.1.bias', [16]]]);
    const x = randn([1, 1, 16, 20]);
    const y = noGrad(() => m.forward(x));
    expect(y.shape).toEqual([1, 3, 16, 20]);
    y.dispose();
    checkBackward(m, x);
    x.dispose();
    m.dispose();
  });

  it('the skip connections carry the encoder features: the output changes when enc1 is changed even with the deep path cut', () => {
    // Zero the bottleneck's last BN so the deep path sends only constants up: the output still depends on the input
    // through the skips (without them it would be constant over the image).
    const m = models.unet({ outActivation: 'sigmoid' });
    m.eval();
    noGrad(() => {
      for (const [name, p] of m.namedParameters()) if (name.startsWith('bottleneck.4.')) p.assign(F.mul(p, 0));
    });
    const x = randn([1, 1, 12, 12]);
    const y = noGrad(() => m.forward(x));
    const v = y.dataSync();
    expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(1e-3);
    expect(v.every((e) => e > 0 && e < 1)).toBe(true);
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });

  it('a forward in inference frees every intermediate; a training forward owns them; a throwing layer frees what was made', () => {
    const m = models.unet({ batchNorm: false, baseChannels: 4 });
    const x = randn([1, 1, 8, 8]);
    const before = memory().numTensors;
    const y = noGrad(() => m.forward(x));
    expect(memory().numTensors).toBe(before + 1);
    y.dispose();
    const z = m.forward(x);
    z.dispose();
    expect(memory().numTensors).toBe(before);
    const dec = m.namedModules().find(([n]) => n === 'dec1')![1];
    Object.defineProperty(dec, 'forward', { value: () => { throw new CnnError('boom'); }, configurable: true });
    expect(() => m.forward(x)).toThrow('boom');
    delete (dec as unknown as { forward?: unknown }).forward;
    expect(memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('depth 3 needs sides divisible by 8; options are validated', () => {
    const m = models.unet({ depth: 3, baseChannels: 4, batchNorm: false });
    expect(m.sizeMultiple).toBe(8);
    const bad = randn([1, 1, 28, 28]);
    expect(() => m.forward(bad)).toThrow('unet: input must be [N, 1, H, W] with H and W multiples of 8, got shape [1, 1, 28, 28]');
    const x = randn([1, 1, 24, 32]);
    const y = noGrad(() => m.forward(x));
    expect(y.shape).toEqual([1, 1, 24, 32]);
    for (const t of [bad, x, y]) t.dispose();
    m.dispose();
    expect(() => models.unet({ upsample: 'nearest' } as never)).toThrow(/unet: upsample must be one of 'convTranspose', 'bilinear', got 'nearest'/);
    expect(() => models.unet({ depth: 0 })).toThrow(/depth must be an integer ≥ 1/);
    expect(() => models.unet({ depth: 7 })).toThrow(/depth must be an integer in \[1, 6\]/);
    expect(() => models.unet({ skip: true } as never)).toThrow(/unknown option 'skip'/);
  });

  it('buildModel rebuilds both variants from their config', () => {
    for (const m of [models.unet({ upsample: 'bilinear', outChannels: 2 }), models.autoencoder({ channels: [4, 8] })]) {
      const again = buildModel(JSON.parse(JSON.stringify(m.config)));
      expect(modelConfig(again)).toEqual(m.config);
      expect(shapes(again)).toEqual(shapes(m));
      m.dispose();
      again.dispose();
    }
  });
});
