/** DepthToSpace / SpaceToDepth (reshape + permute), Expand (broadcast) and Tile (concatenated copies). */
import { F, type Tensor } from '@cnn/core';
import { onnxFail } from '../errors.js';
import { broadcastShapes, makeConst, sizeOfShape, type Const } from '../values.js';
import { requireTensor, type NodeInfo, type OpContext, type OpImpl } from './context.js';
import { broadcastPicker } from './host.js';

function blockSize(ctx: OpContext, x: Tensor): number {
  const b = ctx.attrs.int('blocksize', 0);
  if (x.rank !== 4) onnxFail(`${ctx.where}: input must be 4-D [N, C, H, W], got shape [${x.shape.join(', ')}]`);
  if (!Number.isInteger(b) || b < 1) onnxFail(`${ctx.where}: blocksize must be a positive integer, got ${b}`);
  return b;
}

/** DepthToSpace: CRD is PyTorch's pixel_shuffle; DCR (the default) takes the block offsets from the leading channels. */
function depthToSpace(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  const b = blockSize(ctx, x);
  const [n, c, h, w] = x.shape;
  if (c % (b * b) !== 0) onnxFail(`${ctx.where}: ${c} channels do not divide by blocksize² = ${b * b}`);
  const mode = ctx.attrs.string('mode', 'DCR');
  if (mode === 'CRD') return F.pixelShuffle(x, b);
  if (mode !== 'DCR') onnxFail(`${ctx.where}: unknown mode '${mode}' (DCR, CRD)`);
  const split = F.reshape(x, [n, b, b, c / (b * b), h, w]);
  return F.reshape(F.permute(split, [0, 3, 4, 1, 5, 2]), [n, c / (b * b), h * b, w * b]);
}

/** SpaceToDepth: the inverse of DepthToSpace's DCR order (block offsets become the leading channels). */
function spaceToDepth(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  const b = blockSize(ctx, x);
  const [n, c, h, w] = x.shape;
  if (h % b !== 0 || w % b !== 0) onnxFail(`${ctx.where}: height ${h} and width ${w} must divide by blocksize ${b}`);
  const split = F.reshape(x, [n, c, h / b, b, w / b, b]);
  return F.reshape(F.permute(split, [0, 3, 5, 1, 2, 4]), [n, c * b * b, h / b, w / b]);
}

/** Expand's output: the input and the given shape broadcast both ways (a 1 in the shape keeps the input's size). */
function expandShape(ctx: OpContext, shape: readonly number[]): number[] {
  const target = ctx.constInput(1);
  if (!target) onnxFail(`${ctx.where}: needs the shape input`);
  return broadcastShapes(ctx, shape, target.data);
}

function repeats(ctx: OpContext, rank: number): number[] {
  const r = ctx.constInput(1)?.data;
  if (!r || r.length !== rank || r.some((v) => !Number.isInteger(v) || v < 0)) {
    onnxFail(`${ctx.where}: repeats must be ${rank} non-negative integers, got [${r?.join(', ') ?? ''}]`);
  }
  return [...r];
}

function tile(ctx: OpContext): Tensor {
  let x = requireTensor(ctx, 0);
  repeats(ctx, x.rank).forEach((r, axis) => {
    if (r !== 1) x = r === 0 ? F.slice(x, axis, 0, 0) : F.concat(new Array<Tensor>(r).fill(x), axis);
  });
  return x;
}

function hostTile(ctx: OpContext, x: Const): Const {
  const reps = repeats(ctx, x.shape.length);
  const shape = x.shape.map((d, i) => d * reps[i]);
  const out: number[] = [];
  const n = sizeOfShape(shape);
  for (let i = 0; i < n; i++) {
    let rest = i;
    let src = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const coord = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
      src += (coord % x.shape[d]) * stride;
      stride *= x.shape[d];
    }
    out.push(x.data[src]);
  }
  return makeConst(x.dtype, shape, out);
}

function hostExpand(ctx: OpContext, x: Const): Const {
  const shape = expandShape(ctx, x.shape);
  const pick = broadcastPicker(shape);
  return makeConst(x.dtype, shape, Array.from({ length: sizeOfShape(shape) }, (_, i) => pick(x, i)));
}

const rank4 = (node: NodeInfo): string | undefined => {
  const r = node.rank(0);
  return r === undefined || r === 4 ? undefined : `rank ${r} input (4-D only)`;
};

export const LAYOUT_OPS: Record<string, OpImpl> = {
  DepthToSpace: { run: (ctx) => [depthToSpace(ctx)], unsupported: rank4 },
  SpaceToDepth: { run: (ctx) => [spaceToDepth(ctx)], unsupported: rank4 },
  Expand: {
    run: (ctx) => {
      const x = requireTensor(ctx, 0);
      return [F.broadcastTo(x, expandShape(ctx, x.shape))];
    },
    host: (ctx, [x]) => [hostExpand(ctx, x!)],
    constInputs: [1],
  },
  Tile: { run: (ctx) => [tile(ctx)], host: (ctx, [x]) => [hostTile(ctx, x!)], constInputs: [1] },
};
