/**
 * gather and gatherBackward on every index mapping core builds: padding in each mode (1-D and 2-D, negative pads
 * cropping), slicing with steps, broadcasting a size-1 dim, and the concat placement (rows of -1 around a block). The
 * geometries come from core's padGeometry2d / rangeMap / identityMap, laid out along a dim as core's shape ops do.
 */
import { identityMap, kernelOutput, padGeometry2d, rangeMap, sizeOf, PAD_MODES, type DType, type GatherGeometry, type PadMode } from '@cnn/core';
import type { CaseGenerator, KernelCase } from '../types.js';
import { shapeText } from '../types.js';
import { SPECIAL, UNIFORM, type CaseRandom } from '../values.js';
import { randomShape } from './shapes.js';

interface Mapping {
  what: string;
  xShape: number[];
  outShape: number[];
  geo: GatherGeometry;
  value: number;
}

/** Selecting `rows` along `dim`: x viewed as [before dim, dim, after dim] (core's slice, broadcastTo, concat). */
function alongDim(what: string, xShape: number[], dim: number, rows: Int32Array): Mapping {
  const inner = sizeOf(xShape.slice(dim + 1));
  const outShape = [...xShape];
  outShape[dim] = rows.length;
  const geo: GatherGeometry = {
    outer: sizeOf(xShape.slice(0, dim)), inH: xShape[dim], inW: inner, outH: rows.length, outW: inner, rows, cols: identityMap(inner),
  };
  return { what: `${what} dim ${dim}`, xShape, outShape, geo, value: 0 };
}

/** F.pad's geometry: 2 pads act on the last dim, 4 on the last two. */
function padMapping(xShape: number[], pads: number[], mode: PadMode, value: number): Mapping {
  const [left, right, top = 0, bottom = 0] = pads;
  const view = pads.length === 2 ? [...xShape.slice(0, -1), 1, xShape[xShape.length - 1]] : xShape;
  const geo = padGeometry2d('pad', view, { top, bottom, left, right }, mode);
  const outShape = pads.length === 2 ? [...xShape.slice(0, -1), geo.outW] : [...xShape.slice(0, -2), geo.outH, geo.outW];
  return { what: `pad ${mode} ${shapeText(pads)}${mode === 'constant' ? ` value ${value}` : ''}`, xShape, outShape, geo, value };
}

function randomPad(rng: CaseRandom, mode: PadMode): Mapping {
  const xShape = randomShape(rng, 2, 4, 8);
  const twoD = rng.chance(0.6);
  const sizes = twoD ? [xShape[xShape.length - 1], xShape[xShape.length - 1], xShape[xShape.length - 2], xShape[xShape.length - 2]] : [xShape[xShape.length - 1], xShape[xShape.length - 1]];
  const pads = sizes.map((n) => {
    if (mode === 'reflect') return rng.int(0, n - 1);
    if (mode === 'circular') return rng.int(0, n);
    if (mode === 'constant') return rng.int(-Math.floor((n - 1) / 2), 3); // negative pads crop
    return rng.int(0, 4);
  });
  return padMapping(xShape, pads, mode, mode === 'constant' ? rng.pick([0, 1.5, -2]) : 0);
}

function randomSlice(rng: CaseRandom): Mapping {
  const xShape = randomShape(rng, 1, 4, 9);
  const dim = rng.int(0, xShape.length - 1);
  const n = xShape[dim];
  const start = rng.int(0, n - 1);
  const step = rng.pick([1, 1, 2, 3]);
  return alongDim(`slice ${start}:${n}:${step}`, xShape, dim, rangeMap(start, rng.int(start + 1, n), step));
}

function randomBroadcast(rng: CaseRandom): Mapping {
  const xShape = randomShape(rng, 1, 4, 7);
  const dim = rng.int(0, xShape.length - 1);
  xShape[dim] = 1;
  return alongDim('broadcast', xShape, dim, new Int32Array(rng.int(2, 9)));
}

function randomConcatPart(rng: CaseRandom): Mapping {
  const xShape = randomShape(rng, 1, 4, 7);
  const dim = rng.int(0, xShape.length - 1);
  const before = rng.int(0, 5);
  const rows = new Int32Array(before + xShape[dim] + rng.int(0, 5)).fill(-1);
  for (let i = 0; i < xShape[dim]; i++) rows[before + i] = i;
  return alongDim(`concat part at ${before} of ${rows.length}`, xShape, dim, rows);
}

function gatherCases(m: Mapping, dtype: DType = 'float32', note = '', fill = UNIFORM): KernelCase[] {
  const text = `${m.what} x ${shapeText(m.xShape)} → ${shapeText(m.outShape)}${note}`;
  const forward: KernelCase = {
    name: `gather ${dtype} ${text}`,
    kernel: 'gather',
    inputs: [{ shape: m.xShape, dtype, fill: dtype === 'int32' ? { kind: 'integers', lo: -99, hi: 99 } : fill }],
    output: kernelOutput.gather({ shape: m.xShape, dtype }, m.geo),
    call: (be, [x]) => be.gather(x, m.geo, m.value),
  };
  const backward: KernelCase = {
    name: `gatherBackward ${text}`,
    kernel: 'gatherBackward',
    inputs: [{ shape: m.outShape, dtype: 'float32', fill }],
    output: kernelOutput.gatherBackward(m.geo),
    call: (be, [dy]) => be.gatherBackward(dy, m.geo),
  };
  return dtype === 'float32' ? [forward, backward] : [forward];
}

export const gatherKernelCases: CaseGenerator = (rng) => {
  const cases: KernelCase[] = [];
  for (const mode of PAD_MODES) for (let i = 0; i < 4; i++) cases.push(...gatherCases(randomPad(rng, mode)));
  for (let i = 0; i < 5; i++) cases.push(...gatherCases(randomSlice(rng)));
  for (let i = 0; i < 4; i++) cases.push(...gatherCases(randomBroadcast(rng)));
  for (let i = 0; i < 4; i++) cases.push(...gatherCases(randomConcatPart(rng)));
  cases.push(...gatherCases(randomSlice(rng), 'int32'));
  cases.push(...gatherCases(randomPad(rng, 'replicate'), 'int32'));
  cases.push(...gatherCases(randomPad(rng, 'reflect'), 'float32', ' with NaN/±inf', SPECIAL));
  cases.push(...gatherCases(padMapping([1, 1000, 1020], [3, 2, 1, 4], 'reflect', 0), 'float32', ' (large)'));
  cases.push(...gatherCases(alongDim('slice 2:1030:1', [3, 1031, 400], 1, rangeMap(2, 1030, 1)), 'float32', ' (large)'));
  cases.push(...gatherCases(alongDim('slice 3:3:1', [4, 5, 6], 1, rangeMap(3, 3, 1)), 'float32', ' (empty result)'));
  cases.push(...gatherCases(padMapping([0, 4, 5], [1, 1, 2, 0], 'circular', 0), 'float32', ' (empty outer)'));
  return cases;
};
