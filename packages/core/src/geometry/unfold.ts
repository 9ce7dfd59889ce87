/**
 * Geometry of unfold (im2col) and fold (col2im), PyTorch's `[N, C·kH·kW, L]` layout: one gather with a row map over
 * (kernel row, block row) pairs and a column map over (kernel column, block column) pairs reads every sliding block
 * at once as `[N·C, kH·bH, kW·bW]` (-1 = padding, read as 0); a transpose to `[N, C, kH, kW, bH, bW]` is the layout.
 * Fold is the adjoint: the inverse transpose, then gatherBackward, which adds overlapping blocks. Resolved here once
 * per configuration (cached, so a backend's memoised inverse tables are built once too); backends never re-derive it.
 */
import { fail, fmt, shapeStr } from '../errors.js';
import { pair, type Pair } from './args.js';
import type { GatherGeometry } from './gather.js';

export interface UnfoldOptions {
  kernelSize: Pair;
  dilation?: Pair;
  padding?: Pair;
  stride?: Pair;
}

export interface FoldOptions extends UnfoldOptions {
  /** The spatial size [H, W] of the folded output (PyTorch's `output_size`). */
  outputSize: Pair;
}

export interface UnfoldGeometry {
  batch: number;
  channels: number;
  /** Spatial size of the image side (unfold's input, fold's output). */
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  /** Sliding blocks along each axis; L = blocksH · blocksW. */
  blocksH: number;
  blocksW: number;
  /** The image viewed as [N·C, inH, inW] → [N·C, kH·blocksH, kW·blocksW]. */
  gather: GatherGeometry;
}

interface Resolved {
  k: [number, number];
  d: [number, number];
  p: [number, number];
  s: [number, number];
}

function resolveOptions(op: string, o: UnfoldOptions): Resolved {
  if (!o || typeof o !== 'object') fail(op, 'expects an options object { kernelSize, dilation?, padding?, stride? }');
  return {
    k: pair(op, 'kernelSize', o.kernelSize, NaN, 1),
    d: pair(op, 'dilation', o.dilation, 1, 1),
    p: pair(op, 'padding', o.padding, 0, 0),
    s: pair(op, 'stride', o.stride, 1, 1),
  };
}

/** Number of sliding blocks along one axis (PyTorch's formula); fails unless ≥ 1. */
function blocks(op: string, size: number, r: Resolved, axis: 0 | 1): number {
  return Math.floor((size + 2 * r.p[axis] - r.d[axis] * (r.k[axis] - 1) - 1) / r.s[axis]) + 1;
}

/** Row (or column) map: entry ki·nBlocks + b reads input index b·s + ki·d − p, or -1 in the padding. */
function axisMap(size: number, k: number, nBlocks: number, s: number, d: number, p: number): Int32Array {
  const map = new Int32Array(k * nBlocks);
  for (let ki = 0; ki < k; ki++) {
    for (let b = 0; b < nBlocks; b++) {
      const src = b * s + ki * d - p;
      map[ki * nBlocks + b] = src >= 0 && src < size ? src : -1;
    }
  }
  return map;
}

const cache = new Map<string, UnfoldGeometry>();
const CACHE_LIMIT = 64;

function build(op: string, batch: number, channels: number, inH: number, inW: number, r: Resolved): UnfoldGeometry {
  const key = [batch, channels, inH, inW, ...r.k, ...r.d, ...r.p, ...r.s].join(',');
  let geo = cache.get(key);
  if (geo) return geo;
  const blocksH = blocks(op, inH, r, 0);
  const blocksW = blocks(op, inW, r, 1);
  if (blocksH < 1 || blocksW < 1) {
    fail(op, `spatial size ${fmt([inH, inW])} with kernelSize ${fmt(r.k)}, dilation ${fmt(r.d)}, padding ${fmt(r.p)} and stride ${fmt(r.s)} gives ${fmt([blocksH, blocksW])} sliding blocks; both must be ≥ 1`);
  }
  const [kH, kW] = r.k;
  geo = {
    batch, channels, inH, inW, kH, kW, blocksH, blocksW,
    gather: {
      outer: batch * channels, inH, inW, outH: kH * blocksH, outW: kW * blocksW,
      rows: axisMap(inH, kH, blocksH, r.s[0], r.d[0], r.p[0]),
      cols: axisMap(inW, kW, blocksW, r.s[1], r.d[1], r.p[1]),
    },
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, geo);
  return geo;
}

/** Unfold of an input [N, C, H, W] (or unbatched [C, H, W]). */
export function resolveUnfold(op: string, inShape: readonly number[], opts: UnfoldOptions): UnfoldGeometry {
  const r = resolveOptions(op, opts);
  if (inShape.length !== 3 && inShape.length !== 4) fail(op, `input must be 3-D [C, H, W] or 4-D [N, C, H, W], got shape ${shapeStr(inShape)}`);
  const [batch, channels, inH, inW] = inShape.length === 4 ? inShape : [1, ...inShape];
  return build(op, batch, channels, inH, inW, r);
}

/** Fold of an input [N, C·kH·kW, L] (or unbatched [C·kH·kW, L]) into [N, C, outputSize]. */
export function resolveFold(op: string, inShape: readonly number[], opts: FoldOptions): UnfoldGeometry {
  const r = resolveOptions(op, opts);
  const [outH, outW] = pair(op, 'outputSize', opts.outputSize, NaN, 1);
  if (inShape.length !== 2 && inShape.length !== 3) fail(op, `input must be 2-D [C·kH·kW, L] or 3-D [N, C·kH·kW, L], got shape ${shapeStr(inShape)}`);
  const [batch, rows, l] = inShape.length === 3 ? inShape : [1, ...inShape];
  const kk = r.k[0] * r.k[1];
  if (rows % kk !== 0) fail(op, `input shape ${shapeStr(inShape)}: dimension ${inShape.length - 2} (${rows}) must be divisible by the kernel's ${kk} elements (kernelSize ${fmt(r.k)})`);
  const geo = build(op, batch, rows / kk, outH, outW, r);
  if (l !== geo.blocksH * geo.blocksW) {
    fail(op, `input shape ${shapeStr(inShape)}: last dimension must be the ${geo.blocksH} × ${geo.blocksW} = ${geo.blocksH * geo.blocksW} sliding blocks of outputSize ${fmt([outH, outW])}, got ${l}`);
  }
  return geo;
}
