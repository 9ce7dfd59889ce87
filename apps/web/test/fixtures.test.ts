/**
 * The upload fixtures themselves (Node only, runs with or without Chromium): deterministic, varied, and what the
 * browser tests claim they are. Also writes them to test-results/fixtures/ for a look.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_DIR } from './harness/app-page.js';
import { makeDigitPhotos, truncated } from './fixtures/digit-photos.js';

describe('digit photo fixtures', () => {
  const photos = makeDigitPhotos();

  it('are at least 40 different MNIST test digits, every class, some small', () => {
    expect(photos.length).toBeGreaterThanOrEqual(40);
    expect(new Set(photos.map((p) => p.mnistIndex)).size).toBe(photos.length);
    expect(new Set(photos.map((p) => p.label))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(photos.filter((p) => p.small).length).toBeGreaterThanOrEqual(10);
    for (const p of photos) {
      expect(p.scale).toBeGreaterThanOrEqual(3);
      expect(p.scale).toBeLessThanOrEqual(8);
      expect(p.width).toBeGreaterThan(28 * p.scale);
      expect(p.height).toBeGreaterThan(28 * p.scale);
    }
  });

  it('are dark ink on light, uneven, noisy paper, placed off-centre', () => {
    for (const p of photos) {
      const grey = (x: number, y: number) => p.rgba[(y * p.width + x) * 4 + 1];
      let min = 255;
      let sx = 0;
      let sy = 0;
      let ink = 0;
      for (let y = 0; y < p.height; y++) {
        for (let x = 0; x < p.width; x++) {
          const g = grey(x, y);
          min = Math.min(min, g);
          if (g < 110) {
            sx += x;
            sy += y;
            ink++;
          }
        }
      }
      const corners = [grey(0, 0), grey(p.width - 1, 0), grey(0, p.height - 1), grey(p.width - 1, p.height - 1)];
      expect(Math.min(...corners), p.name).toBeGreaterThan(150); // light paper
      expect(Math.max(...corners) - Math.min(...corners), p.name).toBeGreaterThan(2); // not one flat grey
      expect(min, p.name).toBeLessThan(90); // dark ink
      // Centre of the ink away from the frame's centre (by at least 5 % of the frame) for the small ones.
      const off = Math.hypot(sx / ink / p.width - 0.5, sy / ink / p.height - 0.5);
      if (p.small) expect(off, p.name).toBeGreaterThan(0.05);
    }
  });

  it('are the same bytes on every run, and a different seed gives different photos', () => {
    const few = (seed?: number) => makeDigitPhotos({ perClass: 1, seed }).map((p) => Buffer.from(p.png).toString('base64'));
    const first = few();
    expect(few()).toEqual(first);
    expect(few(2)[0]).not.toEqual(first[0]);
  });

  it('rejects a bad perClass and truncates files', () => {
    expect(() => makeDigitPhotos({ perClass: 0 })).toThrow(/makeDigitPhotos: perClass must be an integer in \[1, 100\], got 0/);
    expect(truncated(new Uint8Array(10))).toHaveLength(5);
  });

  it('are PNG files (written to test-results/fixtures/)', async () => {
    const dir = resolve(RESULTS_DIR, 'fixtures');
    await mkdir(dir, { recursive: true });
    for (const p of photos) {
      expect(Buffer.from(p.png.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
      await writeFile(resolve(dir, p.name), p.png);
    }
  });
});
