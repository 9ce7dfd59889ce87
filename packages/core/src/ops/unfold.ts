/**
 * F.unfold (im2col) and F.fold (col2im) from existing kernels: unfold is one `gather` (every sliding block at once,
 * geometry in ../geometry/unfold.ts) and one `transpose` into PyTorch's [N, C·kH·kW, L]; fold is the inverse
 * transpose and `gatherBackward`, which sums overlapping blocks. Each is the other's adjoint, so each one's gradient
 * is the other op (recorded here, differentiable in turn). No kernel of its own.
 */
import type { Backend } from '../backend/contract.js';
import { resolveFold, resolveUnfold, type FoldOptions, type UnfoldGeometry, type UnfoldOptions } from '../geometry/unfold.js';
import type { Tensor } from '../tensor.js';
import { assertFloat, backendOf, makeTensor, record } from './util.js';

export type { FoldOptions, UnfoldOptions };

/** [N·C, kH·bH, kW·bW] viewed as [N, C, kH, bH, kW, bW] ↔ [N, C, kH, kW, bH, bW]: swapping dims 3 and 4 (self-inverse). */
const SWAP = [0, 1, 2, 4, 3, 5] as const;

function blockView(g: UnfoldGeometry, kFirst: boolean): number[] {
  const { batch: n, channels: c, kH, kW, blocksH: bH, blocksW: bW } = g;
  return kFirst ? [n, c, kH, kW, bH, bW] : [n, c, kH, bH, kW, bW];
}

/** gather + transpose, no autograd: [N, C, H, W] → [N, C·kH·kW, L] (unbatched without N). */
function unfoldRaw(b: Backend, x: Tensor, g: UnfoldGeometry, batched: boolean): Tensor {
  const gathered = makeTensor(b, b.gather(x, g.gather, 0), blockView(g, false));
  const y = makeTensor(b, b.transpose(gathered, SWAP), blockView(g, true));
  gathered.dispose();
  const rows = g.channels * g.kH * g.kW;
  const l = g.blocksH * g.blocksW;
  const out = makeTensor(b, y.dataId, batched ? [g.batch, rows, l] : [rows, l]);
  y.dispose();
  return out;
}

/** transpose + gatherBackward, no autograd: [N, C·kH·kW, L] → [N, C, H, W] (unbatched without N). */
function foldRaw(b: Backend, x: Tensor, g: UnfoldGeometry, batched: boolean): Tensor {
  const view = makeTensor(b, x.dataId, blockView(g, true));
  const swapped = makeTensor(b, b.transpose(view, SWAP), blockView(g, false));
  view.dispose();
  const out = makeTensor(b, b.gatherBackward(swapped, g.gather), batched ? [g.batch, g.channels, g.inH, g.inW] : [g.channels, g.inH, g.inW]);
  swapped.dispose();
  return out;
}

/** The sliding blocks of `input` [N, C, H, W] (or [C, H, W]) as columns: [N, C·kH·kW, L], as torch.nn.functional.unfold. */
export function unfold(input: Tensor, opts: UnfoldOptions): Tensor {
  const op = 'unfold';
  assertFloat(op, 'input', input);
  const g = resolveUnfold(op, input.shape, opts);
  const b = backendOf(op, input);
  const batched = input.rank === 4;
  const y = unfoldRaw(b, input, g, batched);
  const { kernelSize, dilation, padding, stride } = opts;
  return record(y, op, [input], (dy) => [fold(dy, { outputSize: [g.inH, g.inW], kernelSize, dilation, padding, stride })]);
}

/** Sums columns [N, C·kH·kW, L] (or [C·kH·kW, L]) back into an image [N, C, outputSize], as torch.nn.functional.fold. */
export function fold(input: Tensor, opts: FoldOptions): Tensor {
  const op = 'fold';
  assertFloat(op, 'input', input);
  const g = resolveFold(op, input.shape, opts);
  const b = backendOf(op, input);
  const batched = input.rank === 3;
  const y = foldRaw(b, input, g, batched);
  const { kernelSize, dilation, padding, stride } = opts;
  return record(y, op, [input], (dy) => [unfold(dy, { kernelSize, dilation, padding, stride })]);
}
