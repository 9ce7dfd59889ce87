import { describe, expect, it } from 'vitest';
import { resolveAdaptivePool2d, resolvePool2d, type Pool2dGeometry } from '@cnn/core';
import { expectClose, randArray, randInt, rng, setup, size } from './helpers.js';

interface PoolCase {
  mode: 'max' | 'avg';
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  ceil: boolean;
  includePad: boolean;
}

/** A window as PyTorch defines it: the input cells it reads and its divisor (avg). Written from the PyTorch kernels'
 * index arithmetic, independently of core's window tables. */
function windows(c: PoolCase, H: number, W: number, oh: number, ow: number): { cells: [number, number][]; div: number } {
  const cells: [number, number][] = [];
  if (c.mode === 'max') {
    for (let t = 0; t < c.k[0]; t++)
      for (let u = 0; u < c.k[1]; u++) {
        const h = oh * c.s[0] - c.p[0] + t * c.d[0];
        const w = ow * c.s[1] - c.p[1] + u * c.d[1];
        if (h >= 0 && h < H && w >= 0 && w < W) cells.push([h, w]);
      }
    return { cells, div: 1 };
  }
  let hs = oh * c.s[0] - c.p[0];
  let ws = ow * c.s[1] - c.p[1];
  let he = Math.min(hs + c.k[0], H + c.p[0]);
  let we = Math.min(ws + c.k[1], W + c.p[1]);
  const poolSize = (he - hs) * (we - ws);
  hs = Math.max(hs, 0);
  ws = Math.max(ws, 0);
  he = Math.min(he, H);
  we = Math.min(we, W);
  for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) cells.push([h, w]);
  return { cells, div: c.includePad ? poolSize : (he - hs) * (we - ws) };
}

function refPool(x: Float32Array, g: Pool2dGeometry, win: (oh: number, ow: number) => { cells: [number, number][]; div: number }, dy: Float32Array) {
  const y = new Float64Array(g.batch * g.channels * g.outH * g.outW);
  const dx = new Float64Array(x.length);
  for (let s = 0; s < g.batch * g.channels; s++)
    for (let i = 0; i < g.outH; i++)
      for (let j = 0; j < g.outW; j++) {
        const { cells, div } = win(i, j);
        const o = (s * g.outH + i) * g.outW + j;
        const idx = cells.map(([h, w]) => s * g.inH * g.inW + h * g.inW + w);
        if (g.mode === 'avg') {
          y[o] = idx.reduce((a, t) => a + x[t], 0) / div;
          for (const t of idx) dx[t] += dy[o] / div;
        } else if (idx.length === 0) {
          y[o] = -Infinity; // a dilated window that only touches padding (PyTorch: -inf, gradient dropped here)
        } else {
          let best = idx[0];
          for (const t of idx) if (Number.isNaN(x[t]) ? !Number.isNaN(x[best]) : x[t] > x[best]) best = t;
          y[o] = x[best];
          dx[best] += dy[o];
        }
      }
  return { y, dx };
}

function run(x: Float32Array, shape: number[], geo: Pool2dGeometry, dy: Float32Array) {
  const { be, t, read } = setup();
  const xi = t(x, shape);
  return {
    y: read(be.pool2d(xi, geo)),
    dx: read(be.pool2dBackward(t(dy, [geo.batch, geo.channels, geo.outH, geo.outW]), xi, geo)),
  };
}

describe('pool2d / pool2dBackward', () => {
  it('random max / avg pools (padding, stride, dilation, ceil mode, countIncludePad) against PyTorch semantics', () => {
    const r = rng(21);
    let tested = 0;
    for (let trial = 0; tested < 300; trial++) {
      const mode = trial % 2 === 0 ? 'max' : 'avg';
      const k: [number, number] = [randInt(r, 1, 4), randInt(r, 1, 4)];
      const c: PoolCase = {
        mode, k,
        s: [randInt(r, 1, 3), randInt(r, 1, 3)],
        p: [randInt(r, 0, Math.floor(k[0] / 2)), randInt(r, 0, Math.floor(k[1] / 2))],
        d: mode === 'max' ? [randInt(r, 1, 2), randInt(r, 1, 2)] : [1, 1],
        ceil: r() < 0.5,
        includePad: r() < 0.5,
      };
      const shape = [randInt(r, 1, 2), randInt(r, 1, 3), randInt(r, 1, 9), randInt(r, 1, 9)];
      let geo: Pool2dGeometry;
      try {
        geo = resolvePool2d('test', shape, mode, { kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil, countIncludePad: c.includePad });
      } catch {
        continue; // window larger than the input: core rejects it, nothing to run
      }
      tested++;
      const x = randArray(r, size(shape));
      for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 3) / 3; // ties
      if (trial % 7 === 0) x[randInt(r, 0, x.length - 1)] = NaN;
      const dy = randArray(r, geo.batch * geo.channels * geo.outH * geo.outW);
      const ref = refPool(x, geo, (i, j) => windows(c, shape[2], shape[3], i, j), dy);
      const got = run(x, shape, geo, dy);
      const label = JSON.stringify({ c, shape });
      expectClose(got.y, ref.y, 1e-5, 1e-6, `y ${label}`);
      expectClose(got.dx, ref.dx, 1e-5, 1e-6, `dx ${label}`);
    }
  });

  it('adaptive max / avg pools, including output larger than input', () => {
    const r = rng(22);
    for (let trial = 0; trial < 60; trial++) {
      const mode = trial % 2 === 0 ? 'max' : 'avg';
      const shape = [randInt(r, 1, 2), randInt(r, 1, 3), randInt(r, 1, 10), randInt(r, 1, 10)];
      const outSize: [number, number] = [randInt(r, 1, 7), randInt(r, 1, 7)];
      const geo = resolveAdaptivePool2d('test', shape, mode, outSize);
      const x = randArray(r, size(shape));
      for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 3) / 3;
      const dy = randArray(r, geo.batch * geo.channels * geo.outH * geo.outW);
      const win = (i: number, j: number) => {
        const h0 = Math.floor((i * shape[2]) / outSize[0]);
        const h1 = Math.ceil(((i + 1) * shape[2]) / outSize[0]);
        const w0 = Math.floor((j * shape[3]) / outSize[1]);
        const w1 = Math.ceil(((j + 1) * shape[3]) / outSize[1]);
        const cells: [number, number][] = [];
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) cells.push([h, w]);
        return { cells, div: cells.length };
      };
      const ref = refPool(x, geo, win, dy);
      const got = run(x, shape, geo, dy);
      expectClose(got.y, ref.y, 1e-5, 1e-6, `y ${mode} ${shape} → ${outSize}`);
      expectClose(got.dx, ref.dx, 1e-5, 1e-6, `dx ${mode} ${shape} → ${outSize}`);
    }
  });

  it('max pooling sends the gradient to the first of tied maxima only', () => {
    const x = Float32Array.from([1, 1, 1, 1]);
    const geo = resolvePool2d('test', [1, 1, 2, 2], 'max', { kernelSize: 2 });
    const got = run(x, [1, 1, 2, 2], geo, Float32Array.of(5));
    expect(Array.from(got.dx)).toEqual([5, 0, 0, 0]);
  });
});
