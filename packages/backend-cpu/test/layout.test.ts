import { describe, expect, it } from 'vitest';
import { padGeometry2d, rangeMap, identityMap, type PadMode, type GatherGeometry } from '@cnn/core';
import { expectClose, randArray, randInt, rng, setup, size } from './helpers.js';

describe('transpose', () => {
  it('random permutations of ranks 1–5, float32 and int32', () => {
    const r = rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const rank = randInt(r, 1, 5);
      const shape = Array.from({ length: rank }, () => randInt(r, 1, 4));
      const perm = Array.from({ length: rank }, (_, i) => i).sort(() => r() - 0.5);
      const x = randArray(r, size(shape));
      const { be, t, read } = setup();
      const out = read(be.transpose(t(x, shape), perm));
      const outShape = perm.map((p) => shape[p]);
      const inStrides = shape.map((_, d) => size(shape.slice(d + 1)));
      const ref = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        let rem = i;
        let src = 0;
        for (let d = rank - 1; d >= 0; d--) {
          src += (rem % outShape[d]) * inStrides[perm[d]];
          rem = Math.floor(rem / outShape[d]);
        }
        ref[i] = x[src];
      }
      expectClose(out, ref, 0, 0, JSON.stringify({ shape, perm }));
    }
    const { be, t, read } = setup();
    const ints = read(be.transpose(t(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]), [1, 0]));
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

function refGather(x: Float32Array, g: GatherGeometry, value: number): Float64Array {
  const out = new Float64Array(g.outer * g.outH * g.outW);
  for (let o = 0; o < g.outer; o++)
    for (let i = 0; i < g.outH; i++)
      for (let j = 0; j < g.outW; j++)
        out[(o * g.outH + i) * g.outW + j] = g.rows[i] >= 0 && g.cols[j] >= 0 ? x[(o * g.inH + g.rows[i]) * g.inW + g.cols[j]] : value;
  return out;
}

describe('gather / gatherBackward', () => {
  const modes: PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];
  it('padGeometry2d in every mode, including negative (cropping) pads', () => {
    const r = rng(9);
    for (let trial = 0; trial < 60; trial++) {
      const mode = modes[trial % 4];
      const shape = [randInt(r, 1, 3), randInt(r, 1, 2), randInt(r, 2, 6), randInt(r, 2, 6)];
      const lim = (n: number) => (mode === 'reflect' ? n - 1 : mode === 'circular' ? n : 4);
      const pads = {
        top: randInt(r, -1, lim(shape[2])), bottom: randInt(r, 0, lim(shape[2])),
        left: randInt(r, -1, lim(shape[3])), right: randInt(r, 0, lim(shape[3])),
      };
      const geo = padGeometry2d('test', shape, pads, mode);
      const x = randArray(r, size(shape));
      const { be, t, read } = setup();
      const value = mode === 'constant' ? 0.75 : 0;
      expectClose(read(be.gather(t(x, shape), geo, value)), refGather(x, geo, value), 0, 0, `gather ${mode}`);
      // Adjoint check: <gather(x), dy> = <x, gatherBackward(dy)> when the fill value is 0 — plus a direct reference.
      const dy = randArray(r, geo.outer * geo.outH * geo.outW);
      const dx = read(be.gatherBackward(t(dy, [geo.outer, geo.outH, geo.outW]), geo));
      const ref = new Float64Array(x.length);
      for (let o = 0; o < geo.outer; o++)
        for (let i = 0; i < geo.outH; i++)
          for (let j = 0; j < geo.outW; j++)
            if (geo.rows[i] >= 0 && geo.cols[j] >= 0) ref[(o * geo.inH + geo.rows[i]) * geo.inW + geo.cols[j]] += dy[(o * geo.outH + i) * geo.outW + j];
      expectClose(dx, ref, 1e-6, 1e-6, `gatherBackward ${mode}`);
    }
  });

  it('strided slices (rangeMap) and int32 data', () => {
    const { be, t, read } = setup();
    const x = Int32Array.from({ length: 20 }, (_, i) => i);
    const geo: GatherGeometry = { outer: 1, inH: 4, inW: 5, outH: 2, outW: 5, rows: rangeMap(1, 4, 2), cols: identityMap(5) };
    const out = read(be.gather(t(x, [4, 5]), geo, 0));
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([5, 6, 7, 8, 9, 15, 16, 17, 18, 19]);
  });
});

describe('oneHot', () => {
  it('int32 and integral float32 indices; out-of-range rows are zero', () => {
    const { be, t, read } = setup();
    const expected = [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0];
    expect(Array.from(read(be.oneHot(t(Int32Array.from([1, 3, -1, 0]), [4]), 4)).slice(0, 8))).toEqual(expected.slice(0, 8));
    const out = read(be.oneHot(t(Int32Array.from([1, 3, -1, 4, 0]), [5]), 4));
    expect(Array.from(out)).toEqual([0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    const f = read(be.oneHot(t(Float32Array.from([2, 0]), [2]), 3));
    expect(Array.from(f)).toEqual([0, 0, 1, 1, 0, 0]);
  });
});
