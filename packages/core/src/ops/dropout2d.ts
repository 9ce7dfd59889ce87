/** Channel dropout (torch.nn.functional.dropout2d). */
import { fail, fmt, shapeStr } from '../errors.js';
import { globalGenerator, type Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './create.js';
import { mul } from './elementwise.js';
import { reshape } from './shape.js';
import { assertFloat } from './util.js';

/**
 * In training, zeroes each whole channel of `x` [N, C, H, W] with probability p and scales the others by 1/(1−p):
 * neighbouring pixels of a feature map are correlated, so dropping single pixels regularises little. Identity
 * otherwise. One draw per (sample, channel), from `generator` (default: the global one).
 */
export function dropout2d(x: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  const op = 'dropout2d';
  assertFloat(op, 'input', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail(op, `p must be a probability in [0, 1], got ${fmt(p)}`);
  // PyTorch 1.13 reads a 3-D input as [N, C, L] and announces it will read it as [C, H, W]: refuse the ambiguity.
  if (x.rank !== 4) fail(op, `input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  if (!training || p === 0) return reshape(x, x.shape);
  const gen = generator ?? globalGenerator();
  const keepScale = p === 1 ? 0 : 1 / (1 - p);
  const [n, c] = x.shape;
  const m = new Float32Array(n * c);
  for (let i = 0; i < m.length; i++) m[i] = gen.uniform() >= p ? keepScale : 0;
  // [N, C, 1, 1] broadcasts over each feature map: one multiply, its gradient the same mask.
  const mask = tensor(m, [n, c, 1, 1]);
  return mul(x, mask).own(mask);
}
