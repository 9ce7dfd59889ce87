import { fail, fmt } from '../errors.js';
import { globalGenerator, type Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './create.js';
import { mul } from './elementwise.js';
import { reshape } from './shape.js';
import { assertFloat } from './util.js';

/** Zeroes each element with probability p and scales the rest by 1/(1−p), in training; identity otherwise. */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  assertFloat('dropout', 'input', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail('dropout', `p must be a probability in [0, 1], got ${fmt(p)}`);
  if (!training || p === 0) return reshape(x, x.shape);
  const gen = generator ?? globalGenerator();
  const keepScale = p === 1 ? 0 : 1 / (1 - p);
  const m = new Float32Array(x.size);
  for (let i = 0; i < m.length; i++) m[i] = gen.uniform() >= p ? keepScale : 0;
  const mask = tensor(m, x.shape);
  return mul(x, mask).own(mask);
}
