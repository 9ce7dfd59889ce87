/** Pooling: every variant is a window table from core's geometry run through the same two kernels. */
import { fail, fmt, shapeStr } from '../errors.js';
import type { Pair } from '../geometry/args.js';
import { resolveAdaptivePool2d, resolvePool2d, type Pool2dGeometry, type Pool2dOptions } from '../geometry/pool.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './shape.js';
import { assertFloat, backendOf, makeTensor, record } from './util.js';

export type { Pool2dOptions };

function runPool(op: string, x: Tensor, geo: Pool2dGeometry): Tensor {
  const b = backendOf(op, x);
  const y = makeTensor(b, b.pool2d(x, geo), [geo.batch, geo.channels, geo.outH, geo.outW]);
  return record(y, op, [x], (dy) => [makeTensor(b, b.pool2dBackward(dy, x, geo), x.shape)]);
}

/** Accepts [N, C, H, W] or [C, H, W] (as PyTorch), pooling the last two dims. */
function pool4d(op: string, x: Tensor, run: (x4: Tensor) => Tensor): Tensor {
  assertFloat(op, 'input', x);
  if (x.rank === 4) return run(x);
  if (x.rank !== 3) fail(op, `input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape ${shapeStr(x.shape)}`);
  const x4 = reshape(x, [1, ...x.shape]);
  let y4: Tensor;
  try {
    y4 = run(x4);
  } catch (err) {
    x4.dispose(); // a rejected call leaves nothing behind
    throw err;
  }
  return reshape(y4, y4.shape.slice(1)).own(x4, y4);
}

export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return pool4d('maxPool2d', x, (x4) => runPool('maxPool2d', x4, resolvePool2d('maxPool2d', x4.shape, 'max', opts)));
}

export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return pool4d('avgPool2d', x, (x4) => runPool('avgPool2d', x4, resolvePool2d('avgPool2d', x4.shape, 'avg', opts)));
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return pool4d('adaptiveAvgPool2d', x, (x4) => runPool('adaptiveAvgPool2d', x4, resolveAdaptivePool2d('adaptiveAvgPool2d', x4.shape, 'avg', outputSize)));
}

export function adaptiveMaxPool2d(x: Tensor, outputSize: Pair): Tensor {
  return pool4d('adaptiveMaxPool2d', x, (x4) => runPool('adaptiveMaxPool2d', x4, resolveAdaptivePool2d('adaptiveMaxPool2d', x4.shape, 'max', outputSize)));
}

export interface Pool1dOptions {
  kernelSize: number;
  stride?: number;
  padding?: number;
  dilation?: number;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** Checks 1-D pooling options (scalars), naming `op`; layers call it when built. */
export function checkPool1dOptions(op: string, opts: Pool1dOptions, mode: 'max' | 'avg'): void {
  if (!opts || typeof opts !== 'object') fail(op, 'expects an options object { kernelSize, ... }');
  const mins = { kernelSize: 1, stride: 1, padding: 0, dilation: 1 } as const;
  for (const key of ['kernelSize', 'stride', 'padding', 'dilation'] as const) {
    const v = opts[key];
    if (key === 'kernelSize' && v === undefined) fail(op, 'kernelSize is required');
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < mins[key])) fail(op, `${key} must be an integer ≥ ${mins[key]}, got ${fmt(v)}`);
  }
  if (mode === 'avg' && opts.dilation !== undefined && opts.dilation !== 1) fail(op, `dilation is not supported by average pooling, got ${fmt(opts.dilation)}`);
  const p = opts.padding ?? 0;
  if (2 * p > opts.kernelSize) fail(op, `padding ${p} must be at most half the kernel size ${opts.kernelSize}`);
}

function pool1d(op: string, x: Tensor, opts: Pool1dOptions, mode: 'max' | 'avg'): Tensor {
  assertFloat(op, 'input', x);
  if (x.rank !== 3) fail(op, `input must be 3-D [N, C, L], got shape ${shapeStr(x.shape)}`);
  checkPool1dOptions(op, opts, mode);
  const geo = resolvePool2d(op, [x.shape[0], x.shape[1], 1, x.shape[2]], mode, {
    kernelSize: [1, opts.kernelSize],
    stride: [1, opts.stride ?? opts.kernelSize],
    padding: [0, opts.padding ?? 0],
    dilation: [1, opts.dilation ?? 1],
    ceilMode: opts.ceilMode,
    countIncludePad: opts.countIncludePad,
  });
  const x4 = reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]);
  const y4 = runPool(op, x4, geo);
  return reshape(y4, [y4.shape[0], y4.shape[1], y4.shape[3]]).own(x4, y4);
}

export const maxPool1d = (x: Tensor, opts: Pool1dOptions): Tensor => pool1d('maxPool1d', x, opts, 'max');
export const avgPool1d = (x: Tensor, opts: Pool1dOptions): Tensor => pool1d('avgPool1d', x, opts, 'avg');
