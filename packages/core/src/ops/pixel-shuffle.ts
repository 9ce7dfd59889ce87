/**
 * Pixel shuffle / unshuffle and channel shuffle: reshape–permute–reshape, so every backend runs them as one transpose.
 * The `…As` forms take the name errors carry (the nn layers pass theirs).
 */
import { fail, fmt, shapeStr } from '../errors.js';
import { sizeOf } from '../geometry/broadcast.js';
import type { Tensor } from '../tensor.js';
import { finishComposite } from './composite.js';
import { permute, reshape } from './shape.js';
import { assertTensor } from './util.js';

function factor(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) fail(op, `${name} must be an integer ≥ 1, got ${fmt(v)}`);
  return v as number;
}

/** `x` viewed as [B, ...inner], `perm` applied to the inner dims, then viewed as [...lead, ...outTail]. */
function rearrange(x: Tensor, lead: readonly number[], inner: readonly number[], perm: readonly number[], outTail: readonly number[]): Tensor {
  const view = reshape(x, [sizeOf(lead), ...inner]);
  const moved = permute(view, [0, ...perm.map((p) => p + 1)]);
  const out = reshape(moved, [...lead, ...outTail]);
  return finishComposite(out, [view, moved]);
}

/** [*, C·r², H, W] → [*, C, H·r, W·r] (torch.nn.functional.pixel_shuffle): sub-pixel convolution's upsampling. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  return pixelShuffleAs('pixelShuffle', x, upscaleFactor);
}

export function pixelShuffleAs(op: string, x: Tensor, upscaleFactor: number): Tensor {
  assertTensor(op, 'input', x);
  const r = factor(op, 'upscaleFactor', upscaleFactor);
  if (x.rank < 3) fail(op, `input must be at least 3-D [*, C·r², H, W], got shape ${shapeStr(x.shape)}`);
  const [cIn, h, w] = x.shape.slice(-3);
  if (cIn % (r * r) !== 0) fail(op, `input channels ${cIn} must be divisible by upscaleFactor² = ${r * r} (input shape ${shapeStr(x.shape)})`);
  const c = cIn / (r * r);
  return rearrange(x, x.shape.slice(0, -3), [c, r, r, h, w], [0, 3, 1, 4, 2], [c, h * r, w * r]);
}

/** [*, C, H·r, W·r] → [*, C·r², H, W] (torch.nn.functional.pixel_unshuffle), the inverse of pixelShuffle. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  return pixelUnshuffleAs('pixelUnshuffle', x, downscaleFactor);
}

export function pixelUnshuffleAs(op: string, x: Tensor, downscaleFactor: number): Tensor {
  assertTensor(op, 'input', x);
  const r = factor(op, 'downscaleFactor', downscaleFactor);
  if (x.rank < 3) fail(op, `input must be at least 3-D [*, C, H·r, W·r], got shape ${shapeStr(x.shape)}`);
  const [c, hIn, wIn] = x.shape.slice(-3);
  if (hIn % r !== 0 || wIn % r !== 0) {
    fail(op, `input height ${hIn} and width ${wIn} must be divisible by downscaleFactor ${r} (input shape ${shapeStr(x.shape)})`);
  }
  const h = hIn / r;
  const w = wIn / r;
  return rearrange(x, x.shape.slice(0, -3), [c, h, r, w, r], [0, 2, 4, 1, 3], [c * r * r, h, w]);
}

/**
 * [N, C, *]: channels split into `groups` groups of C/groups, then interleaved — output channel j·groups + g is input
 * channel g·(C/groups) + j (torch.nn.functional.channel_shuffle, ShuffleNet's mixing between grouped convolutions).
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  return channelShuffleAs('channelShuffle', x, groups);
}

export function channelShuffleAs(op: string, x: Tensor, groups: number): Tensor {
  assertTensor(op, 'input', x);
  const g = factor(op, 'groups', groups);
  if (x.rank < 3) fail(op, `input must be at least 3-D [N, C, *], got shape ${shapeStr(x.shape)}`);
  const [n, c] = x.shape;
  if (c % g !== 0) fail(op, `groups ${g} must divide the number of channels ${c} (input shape ${shapeStr(x.shape)})`);
  const rest = sizeOf(x.shape.slice(2));
  return rearrange(x, [n], [g, c / g, rest], [1, 0, 2], x.shape.slice(1));
}
