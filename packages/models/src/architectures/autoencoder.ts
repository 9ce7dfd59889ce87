import { CnnError, nn, type Tensor } from '@cnn/core';
import { chain, checkKeys, enumOpt, fail, intListOpt, intOpt } from './util.js';

export interface AutoencoderConfig {
  type: 'autoencoder';
  inChannels: number;
  /** Encoder widths, one level each: conv k×k → ReLU → 2× max-pool. The decoder mirrors them with transposed convs. */
  channels: number[];
  /** Side of the encoder convs' kernels (odd, 'same' padding). */
  kernelSize: number;
  /** 'none' (default): the last transposed conv's values as they are; 'sigmoid': squashed into (0, 1). */
  outActivation: 'none' | 'sigmoid';
}
export type AutoencoderOptions = Partial<Omit<AutoencoderConfig, 'type'>>;

/**
 * A convolutional (denoising) autoencoder for images in [0, 1]. With the defaults, for 1×28×28:
 *
 * - `encoder.0` conv 1→16 3×3 pad 1, `encoder.1` ReLU, `encoder.2` max-pool 2 (14×14),
 *   `encoder.3` conv 16→32 3×3 pad 1, `encoder.4` ReLU, `encoder.5` max-pool 2 (7×7);
 * - `decoder.0` transposed conv 32→16 4×4 stride 2 pad 1 (14×14), `decoder.1` ReLU,
 *   `decoder.2` transposed conv 16→1 4×4 stride 2 pad 1 (28×28); with outActivation 'sigmoid', `decoder.3` Sigmoid.
 *
 * The output is linear by default: with a sigmoid this network collapses on MNIST to an all-black image (MSE 0.107,
 * the mean of x²) within the first epoch and stays there — PyTorch 1.13 does the same with the same layers — because
 * most target pixels are 0 and the sigmoid's gradient vanishes as it drives them there.
 *
 * A 4×4 kernel with stride 2 and padding 1 doubles the size exactly and every output pixel gets the same number of
 * taps (4 = (4/2)²), which avoids the checkerboard of a 3×3 stride-2 transposed conv. Inputs must have sides
 * divisible by 2^levels (4 with two levels) so the decoder gives back the input's size. 13,265 parameters.
 */
export class ConvAutoencoder extends nn.Module {
  static readonly layerName = 'ConvAutoencoder';
  readonly config: AutoencoderConfig;
  readonly encoder: nn.Sequential;
  readonly decoder: nn.Sequential;

  constructor(options: AutoencoderOptions = {}) {
    super();
    const m = 'autoencoder';
    checkKeys(m, options, ['inChannels', 'channels', 'kernelSize', 'outActivation']);
    const c: AutoencoderConfig = {
      type: 'autoencoder',
      inChannels: intOpt(m, 'inChannels', options.inChannels, 1),
      channels: intListOpt(m, 'channels', options.channels, [16, 32]),
      kernelSize: intOpt(m, 'kernelSize', options.kernelSize, 3),
      outActivation: enumOpt(m, 'outActivation', options.outActivation, ['none', 'sigmoid'], 'none'),
    };
    if (c.channels.length < 1 || c.channels.length > 6) fail(m, `channels must list 1 to 6 widths (one per 2× downsampling), got ${JSON.stringify(c.channels)}`);
    if (c.kernelSize % 2 !== 1) fail(m, `kernelSize must be odd (the encoder keeps the size with padding (k−1)/2), got ${c.kernelSize}`);
    this.config = c;
    const enc: nn.Module[] = [];
    let prev = c.inChannels;
    for (const w of c.channels) {
      enc.push(new nn.Conv2d({ inChannels: prev, outChannels: w, kernelSize: c.kernelSize, padding: (c.kernelSize - 1) / 2 }), new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }));
      prev = w;
    }
    const dec: nn.Module[] = [];
    const widths = [c.inChannels, ...c.channels];
    for (let i = c.channels.length; i >= 1; i--) {
      dec.push(new nn.ConvTranspose2d({ inChannels: widths[i], outChannels: widths[i - 1], kernelSize: 4, stride: 2, padding: 1 }));
      if (i > 1) dec.push(new nn.ReLU());
    }
    if (c.outActivation === 'sigmoid') dec.push(new nn.Sigmoid());
    this.encoder = this.registerModule('encoder', new nn.Sequential(...enc));
    this.decoder = this.registerModule('decoder', new nn.Sequential(...dec));
  }

  /** Input sides must be divisible by 2^levels, so the output has the input's shape. */
  get sizeMultiple(): number {
    return 2 ** this.config.channels.length;
  }

  forward(x: Tensor): Tensor {
    checkSpatialInput('autoencoder', x, this.config.inChannels, this.sizeMultiple);
    return chain(x, [(t) => this.encoder.forward(t), (t) => this.decoder.forward(t)]);
  }
}

/** [N, C, H, W] with C = inChannels and H, W multiples of `multiple`, or an error that says what is needed. */
export function checkSpatialInput(model: string, x: Tensor, inChannels: number, multiple: number): void {
  if (!x || typeof x !== 'object' || !Array.isArray(x.shape)) throw new CnnError(`${model}: expects a Tensor`);
  const [, ch, h, w] = x.shape;
  if (x.rank !== 4 || ch !== inChannels || h % multiple !== 0 || w % multiple !== 0) {
    fail(model, `input must be [N, ${inChannels}, H, W] with H and W multiples of ${multiple}, got shape [${x.shape.join(', ')}]`);
  }
}
