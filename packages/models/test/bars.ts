/** The synthetic data set the training tests learn: 8×8 images with a bright bar in the top, middle or bottom third. */
import { Generator } from '@cnn/core';
import type { ImageDataset } from '../src/index.js';

/**
 * `count` images with a bright bar in the top, middle or bottom third (class 0, 1, 2), in noise, drawn from
 * `Generator(seed)`. `gap`: the bar's third row stays dark (bars two rows high rather than three).
 */
export function bars(count: number, seed: number, { gap = false }: { gap?: boolean } = {}): ImageDataset {
  const g = new Generator(seed);
  const S = 8;
  const images = new Uint8Array(count * S * S);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const c = g.int(3);
    labels[n] = c;
    for (let i = 0; i < S * S; i++) {
      const row = Math.floor(i / S);
      const on = Math.floor(row / 3) === c && !(gap && row % 3 === 2);
      images[n * S * S + i] = Math.min(255, (on ? 180 : 0) + g.int(60));
    }
  }
  return { name: 'bars', images, labels, count, channels: 1, height: S, width: S, classNames: ['top', 'middle', 'bottom'] };
}
