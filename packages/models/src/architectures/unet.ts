import { F, nn, type Tensor } from '@cnn/core';
import { checkSpatialInput } from './autoencoder.js';
import { boolOpt, checkKeys, enumOpt, fail, intOpt } from './util.js';

export interface UNetConfig {
  type: 'unet';
  inChannels: number;
  /** Output channels: classes of a segmentation head, or image channels for a reconstruction. */
  outChannels: number;
  /** Channels of the first level; level i (1-based) has baseChannels·2^(i−1), the bottleneck baseChannels·2^depth. */
  baseChannels: number;
  /** Number of 2× downsamplings (and of skip connections); input sides must be multiples of 2^depth. */
  depth: number;
  /** 'convTranspose': a learned 2×2 stride-2 transposed conv (the original U-Net's up-conv). 'bilinear': bilinear
   * interpolation ×2 (alignCorners false) followed by a 1×1 conv that halves the channels. */
  upsample: 'convTranspose' | 'bilinear';
  /** BatchNorm after every 3×3 conv (the convs then have no bias). */
  batchNorm: boolean;
  /** 'none': raw scores (segmentation logits); 'sigmoid': outputs in (0, 1) (images). */
  outActivation: 'none' | 'sigmoid';
}
export type UNetOptions = Partial<Omit<UNetConfig, 'type'>>;

/** (conv 3×3 pad 1 → [BN] → ReLU) × 2, as U-Net's "double conv". Names 0…5 (with BN) or 0…3. */
function doubleConv(i: number, o: number, bn: boolean): nn.Sequential {
  const conv = (a: number, b: number): nn.Conv2d => new nn.Conv2d({ inChannels: a, outChannels: b, kernelSize: 3, padding: 1, bias: !bn });
  const norm = (b: number): nn.Module[] => (bn ? [new nn.BatchNorm2d({ numFeatures: b })] : []);
  return new nn.Sequential(conv(i, o), ...norm(o), new nn.ReLU(), conv(o, o), ...norm(o), new nn.ReLU());
}

function upsampler(kind: UNetConfig['upsample'], i: number, o: number): nn.Module {
  if (kind === 'convTranspose') return new nn.ConvTranspose2d({ inChannels: i, outChannels: o, kernelSize: 2, stride: 2 });
  return new nn.Sequential(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: false }), new nn.Conv2d({ inChannels: i, outChannels: o, kernelSize: 1 }));
}

/**
 * A small U-Net (Ronneberger et al. 2015, with 'same' padding so the output has the input's size): encoder levels
 * `enc1…encD` (double conv), one shared 2× max-pool `pool`, `bottleneck` (double conv), then per level from the
 * deepest up: `upK` (upsampling that halves the channels), concatenation with `encK`'s output (the skip connection),
 * `decK` (double conv); `head` a 1×1 conv to `outChannels`, and `outAct` (Sigmoid) with outActivation 'sigmoid'.
 * Defaults: depth 2, baseChannels 16, batch norm, transposed-conv upsampling, 1 → 1 channels; for 1×28×28 or any
 * size whose sides are multiples of 4. 117,073 parameters (bilinear: 109,393).
 */
export class UNet extends nn.Module {
  static readonly layerName = 'UNet';
  readonly config: UNetConfig;
  readonly pool: nn.MaxPool2d;
  readonly bottleneck: nn.Sequential;
  readonly head: nn.Conv2d;
  readonly outAct: nn.Sigmoid | null;
  private readonly encoders: nn.Sequential[] = [];
  private readonly ups: nn.Module[] = [];
  private readonly decoders: nn.Sequential[] = [];

  constructor(options: UNetOptions = {}) {
    super();
    const m = 'unet';
    checkKeys(m, options, ['inChannels', 'outChannels', 'baseChannels', 'depth', 'upsample', 'batchNorm', 'outActivation']);
    const c: UNetConfig = {
      type: 'unet',
      inChannels: intOpt(m, 'inChannels', options.inChannels, 1),
      outChannels: intOpt(m, 'outChannels', options.outChannels, 1),
      baseChannels: intOpt(m, 'baseChannels', options.baseChannels, 16),
      depth: intOpt(m, 'depth', options.depth, 2),
      upsample: enumOpt(m, 'upsample', options.upsample, ['convTranspose', 'bilinear'], 'convTranspose'),
      batchNorm: boolOpt(m, 'batchNorm', options.batchNorm, true),
      outActivation: enumOpt(m, 'outActivation', options.outActivation, ['none', 'sigmoid'], 'none'),
    };
    if (c.depth > 6) fail(m, `depth must be an integer in [1, 6], got ${c.depth}`);
    this.config = c;
    const width = (level: number): number => c.baseChannels * 2 ** (level - 1);
    // Registration order is the state-dict order: encoders, pool, bottleneck, then the decoder from the deepest level.
    let prev = c.inChannels;
    for (let l = 1; l <= c.depth; l++) {
      this.encoders.push(this.registerModule(`enc${l}`, doubleConv(prev, width(l), c.batchNorm)));
      prev = width(l);
    }
    this.pool = this.registerModule('pool', new nn.MaxPool2d({ kernelSize: 2 }));
    this.bottleneck = this.registerModule('bottleneck', doubleConv(prev, width(c.depth + 1), c.batchNorm));
    for (let l = c.depth; l >= 1; l--) {
      this.ups[l - 1] = this.registerModule(`up${l}`, upsampler(c.upsample, width(l + 1), width(l)));
      this.decoders[l - 1] = this.registerModule(`dec${l}`, doubleConv(2 * width(l), width(l), c.batchNorm));
    }
    this.head = this.registerModule('head', new nn.Conv2d({ inChannels: width(1), outChannels: c.outChannels, kernelSize: 1 }));
    this.outAct = c.outActivation === 'sigmoid' ? this.registerModule('outAct', new nn.Sigmoid()) : null;
  }

  /** Input sides must be multiples of 2^depth. */
  get sizeMultiple(): number {
    return 2 ** this.config.depth;
  }

  forward(x: Tensor): Tensor {
    checkSpatialInput('unet', x, this.config.inChannels, this.sizeMultiple);
    // Every intermediate is made here; the output owns those its autograd graph needs (all of them in training),
    // and in inference they are freed before returning. A throwing layer frees what was made.
    const made: Tensor[] = [];
    const keep = (t: Tensor): Tensor => {
      made.push(t);
      return t;
    };
    let y: Tensor;
    try {
      const skips: Tensor[] = [];
      let h = x;
      for (const enc of this.encoders) {
        skips.push(keep(enc.forward(h)));
        h = keep(this.pool.forward(skips[skips.length - 1]));
      }
      h = keep(this.bottleneck.forward(h));
      for (let l = this.config.depth; l >= 1; l--) {
        const up = keep(this.ups[l - 1].forward(h));
        const joined = keep(F.concat([up, skips[l - 1]], 1)); // the skip connection: [upsampled, encoder] channels
        h = keep(this.decoders[l - 1].forward(joined));
      }
      y = this.head.forward(h);
      if (this.outAct) y = this.outAct.forward(keep(y));
    } catch (err) {
      for (const t of made) t.dispose();
      throw err;
    }
    if (y.requiresGrad) return y.own(...made);
    for (const t of made) t.dispose();
    return y;
  }
}
