/** preprocessDigit: MNIST-style size normalisation and centring of canvas drawings and photos of digits. */
import { describe, expect, it } from 'vitest';
import { MNIST_STATS, preprocessDigit, resizeBilinear, type PixelImage } from '../src/index.js';
import { loadMnist } from '../src/node.js';

const mnist = loadMnist({ split: 'test' });

function mnistImage(i: number): Float32Array {
  return Float32Array.from(mnist.images.subarray(i * 784, (i + 1) * 784));
}

/** A seeded uniform generator (mulberry32), so the rendered photos are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

interface Render {
  /** Upscale factor of the 28×28 digit. */
  scale: number;
  width: number;
  height: number;
  /** Where the upscaled digit's top-left corner goes. */
  x: number;
  y: number;
  /** Page and ink grey levels (dark ink on light paper when page > ink). */
  page?: number;
  ink?: number;
  /** Gaussian noise σ (grey levels) and a left-to-right lighting falloff (grey levels across the page). */
  noise?: number;
  falloff?: number;
  seed?: number;
  alpha?: boolean;
}

/** Renders a 28×28 MNIST digit (white on black) onto a page: upscaled, placed, coloured, shaded and noised. */
function render(digit: Float32Array, r: Render): PixelImage {
  const s = Math.round(28 * r.scale);
  const big = resizeBilinear(digit, 28, 28, s, s);
  const page = r.page ?? 0;
  const ink = r.ink ?? 255;
  const rand = rng(r.seed ?? 1);
  const data = new Uint8ClampedArray(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const dx = x - r.x;
      const dy = y - r.y;
      const a = dx >= 0 && dy >= 0 && dx < s && dy < s ? big[dy * s + dx] / 255 : 0;
      const shade = (r.falloff ?? 0) * (x / r.width - 0.5);
      const v = page + shade + a * (ink - page) + (r.noise ? r.noise * gaussian(rand) : 0);
      const p = 4 * (y * r.width + x);
      data[p] = data[p + 1] = data[p + 2] = v;
      data[p + 3] = r.alpha ? Math.round(a * 255) : 255;
    }
  }
  return { width: r.width, height: r.height, data };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= a.length;
  mb /= b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function centreOfMass(p: ArrayLike<number>, size = 28): [number, number] {
  let m = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < size * size; i++) {
    m += p[i];
    x += p[i] * (i % size);
    y += p[i] * Math.floor(i / size);
  }
  return [x / m, y / m];
}

describe('preprocessDigit', () => {
  it('gives the same 28×28 for a digit drawn small and off-centre as for the same digit drawn large and centred', () => {
    for (const i of [0, 1, 2, 3, 4]) {
      const d = mnistImage(i);
      const small = preprocessDigit(render(d, { scale: 1.5, width: 240, height: 160, x: 170, y: 12 }));
      const large = preprocessDigit(render(d, { scale: 10, width: 300, height: 300, x: 10, y: 10 }));
      expect(small.empty).toBe(false);
      expect(correlation(small.pixels, large.pixels)).toBeGreaterThan(0.9);
    }
  });

  it('reproduces MNIST images themselves (they already are 20×20 boxes centred by mass)', () => {
    let sum = 0;
    for (let i = 0; i < 50; i++) sum += correlation(preprocessDigit(render(mnistImage(i), { scale: 1, width: 28, height: 28, x: 0, y: 0 })).pixels, mnistImage(i));
    expect(sum / 50).toBeGreaterThan(0.97);
  });

  it('detects both polarities: light ink on a dark canvas, dark ink on light paper, ink on a transparent canvas', () => {
    const d = mnistImage(7);
    const canvas = preprocessDigit(render(d, { scale: 4, width: 160, height: 140, x: 20, y: 10 }));
    const paper = preprocessDigit(render(d, { scale: 4, width: 160, height: 140, x: 20, y: 10, page: 235, ink: 20 }));
    const transparentDark = preprocessDigit(render(d, { scale: 4, width: 160, height: 140, x: 20, y: 10, page: 0, ink: 0, alpha: true }));
    const transparentLight = preprocessDigit(render(d, { scale: 4, width: 160, height: 140, x: 20, y: 10, page: 255, ink: 255, alpha: true }));
    expect(canvas.inverted).toBe(false);
    expect(paper.inverted).toBe(true);
    expect(transparentDark.inverted).toBe(true);
    expect(transparentLight.inverted).toBe(false);
    for (const other of [paper, transparentDark, transparentLight]) expect(correlation(canvas.pixels, other.pixels)).toBeGreaterThan(0.97);
    // Forcing the wrong polarity: nothing on the black canvas is darker than the page, so there is no ink.
    expect(preprocessDigit(render(d, { scale: 4, width: 160, height: 140, x: 20, y: 10 }), { invert: true }).empty).toBe(true);
    expect(preprocessDigit(render(d, { scale: 4, width: 160, height: 140, x: 20, y: 10, page: 235, ink: 20 }), { invert: false }).empty).toBe(true);
  });

  it('puts the centre of mass at (14, 14), the centre of the field as MNIST measures it, within half a pixel', () => {
    // MNIST's own test images: mean centre of mass (14.01, 13.99), every one within 0.5 px after integer shifts.
    for (let i = 0; i < 20; i++) {
      const out = preprocessDigit(render(mnistImage(i), { scale: 3, width: 200, height: 120, x: 5 + 7 * i, y: 3 }));
      const [cx, cy] = centreOfMass(out.pixels);
      expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5 + 1e-9);
    }
  });

  it('reports the ink bounding box in source pixels and scales the longer side to the box', () => {
    const w = 100;
    const h = 80;
    const data = new Uint8ClampedArray(w * h * 4).fill(255); // white paper
    for (let y = 25; y < 55; y++) for (let x = 40; x < 50; x++) data.fill(0, 4 * (y * w + x), 4 * (y * w + x) + 3); // black bar 10×30
    const out = preprocessDigit({ width: w, height: h, data });
    expect(out.bbox).toEqual({ x: 40, y: 25, width: 10, height: 30 });
    expect(out.inverted).toBe(true);
    // 10×30 → 7×20 (aspect kept, longer side 20), solid.
    const rows = new Set<number>();
    const cols = new Set<number>();
    let full = 0;
    out.pixels.forEach((v, i) => {
      if (v > 0) {
        rows.add(Math.floor(i / 28));
        cols.add(i % 28);
      }
      if (v === 255) full++;
    });
    expect(rows.size).toBe(20);
    expect(cols.size).toBe(7);
    expect(full).toBe(140);
    expect(out.shape).toEqual([1, 1, 28, 28]);
  });

  it('handles empty images: blank canvas, white paper, a noisy grey photo of blank paper', () => {
    const blank = { width: 50, height: 40, data: new Uint8ClampedArray(50 * 40 * 4).fill(0).map((_, i) => (i % 4 === 3 ? 255 : 0)) };
    const white = { width: 50, height: 40, data: new Uint8ClampedArray(50 * 40 * 4).fill(255) };
    const photo = render(new Float32Array(784), { scale: 1, width: 300, height: 200, x: 0, y: 0, page: 190, noise: 6, falloff: 40, seed: 3 });
    for (const img of [blank, white, photo]) {
      const out = preprocessDigit(img, { normalize: MNIST_STATS });
      expect(out.empty).toBe(true);
      expect(out.bbox).toBeNull();
      expect(out.pixels.every((v) => v === 0)).toBe(true);
      expect(out.data.every((v) => Math.abs(v - -MNIST_STATS.mean / MNIST_STATS.std) < 1e-6)).toBe(true);
    }
  });

  it('normalises data from the displayed pixels and honours size and box', () => {
    const out = preprocessDigit(render(mnistImage(3), { scale: 2, width: 90, height: 90, x: 10, y: 20 }), { size: 32, box: 24, normalize: { mean: 0.5, std: 0.25 } });
    expect(out.shape).toEqual([1, 1, 32, 32]);
    expect(out.pixels.length).toBe(1024);
    out.data.forEach((v, i) => expect(v).toBeCloseTo((out.pixels[i] / 255 - 0.5) / 0.25, 5));
    const [cx, cy] = centreOfMass(out.pixels, 32);
    expect(Math.abs(cx - 16)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(Math.abs(cy - 16)).toBeLessThanOrEqual(0.5 + 1e-9);
  });

  it('rejects bad input naming the function, the argument and the value', () => {
    const img = { width: 2, height: 2, data: new Uint8ClampedArray(16) };
    expect(() => preprocessDigit({ width: 2, height: 2, data: new Uint8ClampedArray(15) })).toThrow(/preprocessDigit: img\.data has 15 bytes, but 2×2 RGBA pixels need 16/);
    expect(() => preprocessDigit({ width: 0, height: 2, data: new Uint8ClampedArray(0) })).toThrow(/preprocessDigit: img\.width and img\.height must be positive integers, got 0×2/);
    expect(() => preprocessDigit(null as unknown as PixelImage)).toThrow(/preprocessDigit: img must be/);
    expect(() => preprocessDigit(img, { size: 3 })).toThrow(/preprocessDigit: opts\.size must be an integer in \[4, 1024\], got 3/);
    expect(() => preprocessDigit(img, { box: 30 })).toThrow(/preprocessDigit: opts\.box must be an integer in \[1, size=28\], got 30/);
    expect(() => preprocessDigit(img, { invert: 'yes' as unknown as boolean })).toThrow(/opts\.invert must be true, false or 'auto', got "yes"/);
    expect(() => preprocessDigit(img, { normalize: { mean: 0, std: 0 } })).toThrow(/opts\.normalize must be null or \{ mean, std \}/);
    expect(() => preprocessDigit(img, { threshold: -1 })).toThrow(/opts\.threshold must be a grey level in \[0, 255\), got -1/);
  });

  it('turns photos of dark ink on uneven, noisy grey paper into MNIST-like inputs (200 test digits)', () => {
    const rand = rng(42);
    const corr: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) {
      const d = mnistImage(i);
      const scale = 4 + 4 * rand();
      const s = Math.round(28 * scale);
      const width = s + 30 + Math.floor(100 * rand());
      const height = s + 30 + Math.floor(60 * rand());
      const photo = render(d, {
        scale, width, height, x: Math.floor((width - s) * rand()), y: Math.floor((height - s) * rand()),
        page: 170 + 50 * rand(), ink: 25 + 50 * rand(), noise: 4 + 6 * rand(), falloff: 60 * (rand() - 0.5), seed: i + 1,
      });
      const out = preprocessDigit(photo);
      expect(out.inverted).toBe(true);
      expect(out.empty).toBe(false);
      const reference = preprocessDigit(render(d, { scale: 1, width: 28, height: 28, x: 0, y: 0 }));
      corr.push(correlation(out.pixels, reference.pixels));
    }
    corr.sort((a, b) => a - b);
    const mean = corr.reduce((a, b) => a + b, 0) / corr.length;
    console.log(`photo → MNIST correlation: mean ${mean.toFixed(3)}, min ${corr[0].toFixed(3)}, 5th percentile ${corr[10].toFixed(3)}; ${(performance.now() - t0).toFixed(0)} ms`);
    expect(mean).toBeGreaterThan(0.9);
    expect(corr[10]).toBeGreaterThan(0.8);
  });
});
