/** The inverse index maps of gather and pooling (geometry/inverse.ts), checked against brute force, with no backend. */
import { describe, expect, it } from 'vitest';
import { gatherInverse, invertIndexMap, padGeometry2d, pool2dInverse, rangeMap, resolveAdaptivePool2d, resolvePool2d, type InverseIndexMap } from '@cnn/core';
import * as geometry from '@cnn/core/geometry';

/** For each input position, the outputs reading it, by scanning every output's window. */
function bruteForce(map: Int32Array, outCount: number, window: number, inSize: number): number[][] {
  return Array.from({ length: inSize }, (_, p) => {
    const outs: number[] = [];
    for (let o = 0; o < outCount; o++) {
      for (let t = 0; t < window; t++) if (map[o * window + t] === p) { outs.push(o); break; }
    }
    return outs;
  });
}

function lists(inv: InverseIndexMap, inSize: number): number[][] {
  return Array.from({ length: inSize }, (_, p) => Array.from(inv.table.subarray(p * inv.width, (p + 1) * inv.width)).filter((o) => o >= 0));
}

function expectInverse(inv: InverseIndexMap, map: Int32Array, outCount: number, window: number, inSize: number): void {
  const want = bruteForce(map, outCount, window, inSize);
  expect(inv.width).toBe(Math.max(1, ...want.map((l) => l.length)));
  expect(inv.table.length).toBe(inSize * inv.width);
  expect(lists(inv, inSize)).toEqual(want);
  // padding after each list, never inside it
  for (let p = 0; p < inSize; p++) {
    const row = Array.from(inv.table.subarray(p * inv.width, (p + 1) * inv.width));
    expect(row).toEqual([...want[p], ...new Array(inv.width - want[p].length).fill(-1)]);
  }
}

describe('inverse index maps', () => {
  it('gather: every padding mode and a strided slice', () => {
    for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
      const geo = padGeometry2d('pad', [2, 5, 4], { top: 3, bottom: 2, left: 1, right: 3 }, mode);
      const inv = gatherInverse(geo);
      expectInverse(inv.rows, geo.rows, geo.outH, 1, geo.inH);
      expectInverse(inv.cols, geo.cols, geo.outW, 1, geo.inW);
    }
    const slice = rangeMap(1, 9, 3);
    expectInverse(invertIndexMap(slice, slice.length, 1, 10), slice, slice.length, 1, 10);
  });

  it('pooling: overlapping, dilated, padded, ceil-mode and adaptive windows (-1 / -2 entries read nothing)', () => {
    const geos = [
      resolvePool2d('maxPool2d', [1, 2, 9, 8], 'max', { kernelSize: 3, stride: 2, padding: 1, dilation: [2, 1], ceilMode: true }),
      resolvePool2d('avgPool2d', [1, 1, 7, 7], 'avg', { kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true }),
      resolveAdaptivePool2d('adaptiveAvgPool2d', [1, 1, 10, 7], 'avg', [4, 3]),
    ];
    for (const geo of geos) {
      const inv = pool2dInverse(geo);
      expectInverse(inv.rows, geo.rows, geo.outH, geo.windowH, geo.inH);
      expectInverse(inv.cols, geo.cols, geo.outW, geo.windowW, geo.inW);
    }
  });

  it('an output reading the same input twice is listed once; an unread input has an empty list', () => {
    const map = Int32Array.from([0, 0, 2, -1, 2, 2]); // output 0 reads 0 twice, outputs 1 and 2 read 2
    const inv = invertIndexMap(map, 3, 2, 4);
    expect(inv.width).toBe(2);
    expect(lists(inv, 4)).toEqual([[0], [], [1, 2], []]);
    expect(invertIndexMap(new Int32Array(0), 0, 1, 3)).toEqual({ width: 1, table: Int32Array.from([-1, -1, -1]) });
  });

  it('is computed once per geometry object, and exported from @cnn/core/geometry too', () => {
    const geo = resolvePool2d('maxPool2d', [1, 1, 6, 6], 'max', { kernelSize: 2 });
    expect(pool2dInverse(geo)).toBe(pool2dInverse(geo));
    expect(pool2dInverse({ ...geo })).not.toBe(pool2dInverse(geo));
    const pad = padGeometry2d('pad', [1, 3, 3], { top: 1, bottom: 1, left: 1, right: 1 }, 'reflect');
    expect(gatherInverse(pad)).toBe(gatherInverse(pad));
    expect(geometry.gatherInverse).toBe(gatherInverse);
    expect(geometry.pool2dInverse).toBe(pool2dInverse);
  });
});
