/**
 * MNIST-style preprocessing of a single handwritten digit (a canvas drawing or a photo of paper), browser-safe.
 *
 * MNIST was made (LeCun et al.) by size-normalising each NIST digit to fit a 20×20 box, keeping its aspect ratio,
 * with anti-aliasing, then placing it in a 28×28 field so that its centre of mass lies at the field's centre. Measured
 * on the MNIST test set the mean centre of mass is (14.01, 13.99) in pixel-index coordinates with integer shifts,
 * i.e. the target is (size/2, size/2), not (size−1)/2; preprocessDigit follows that convention so its inputs look like
 * the images the models were trained on.
 */
import { CnnError } from '@cnn/core';
import { resizeBilinear, type PixelImage } from './image.js';

export interface PreprocessDigitOptions {
  /** Side of the square output (default 28, as MNIST). */
  size?: number;
  /** Side of the box the digit's longer side is scaled to (default 20, as MNIST). Must be ≤ size. */
  box?: number;
  /** When given, `data` holds (v/255 − mean)/std; otherwise v/255. */
  normalize?: { mean: number; std: number } | null;
  /** true: the ink is darker than the page; false: lighter; 'auto' (default): decided from the page border. */
  invert?: boolean | 'auto';
  /** Grey levels (0–255) above the estimated page level that still count as page (paper texture, noise, shading).
   * Default: estimated from the border's noise and the ink contrast (at least 8% of the contrast). */
  threshold?: number;
}

export interface DigitInput {
  /** size·size model input values, normalised when `normalize` is given. */
  data: Float32Array;
  /** size·size grey levels 0–255 of the preprocessed image (white ink on black, as MNIST), for display. */
  pixels: Uint8ClampedArray;
  shape: [1, 1, number, number];
  /** Whether the source was dark ink on a light page (and so was inverted). */
  inverted: boolean;
  /** The ink's bounding box in source pixels, or null when no ink was found. */
  bbox: { x: number; y: number; width: number; height: number } | null;
  /** True when no ink was found; then `pixels` is all 0 and `data` all background. */
  empty: boolean;
}

const OP = 'preprocessDigit';
/** Longer side of the working copy: bigger photos are area-averaged down first, so a 12-megapixel photo costs about
 * as much as a 1-megapixel one and a digit covering a tenth of the photo still has ~100 px to work with. */
const WORK_MAX_SIDE = 1024;
/** Connected ink blobs lighter than this fraction of the heaviest blob are noise, dust or paper texture. */
const MIN_BLOB_FRACTION = 0.03;
/** Grey levels (after a 3×3 blur) the ink must differ from the page by at all. */
const MIN_CONTRAST = 16;

function fail(message: string): never {
  throw new CnnError(`${OP}: ${message}`);
}

function checkOptions(opts: PreprocessDigitOptions): Required<Omit<PreprocessDigitOptions, 'threshold' | 'normalize'>> & Pick<PreprocessDigitOptions, 'threshold' | 'normalize'> {
  if (opts === null || typeof opts !== 'object') fail(`opts must be an object, got ${opts === null ? 'null' : typeof opts}`);
  const size = opts.size ?? 28;
  if (!Number.isInteger(size) || size < 4 || size > 1024) fail(`opts.size must be an integer in [4, 1024], got ${String(size)}`);
  const box = opts.box ?? Math.min(20, size);
  if (!Number.isInteger(box) || box < 1 || box > size) fail(`opts.box must be an integer in [1, size=${size}], got ${String(box)}`);
  const invert = opts.invert ?? 'auto';
  if (invert !== true && invert !== false && invert !== 'auto') fail(`opts.invert must be true, false or 'auto', got ${JSON.stringify(invert)}`);
  const { normalize, threshold } = opts;
  if (normalize !== undefined && normalize !== null) {
    if (typeof normalize !== 'object' || !Number.isFinite(normalize.mean) || !Number.isFinite(normalize.std) || !(normalize.std > 0)) {
      fail(`opts.normalize must be null or { mean, std } with finite numbers and std > 0, got ${JSON.stringify(normalize)}`);
    }
  }
  if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold >= 255)) {
    fail(`opts.threshold must be a grey level in [0, 255), got ${String(threshold)}`);
  }
  return { size, box, invert, normalize, threshold };
}

function checkImage(img: PixelImage): void {
  if (img === null || typeof img !== 'object') fail(`img must be { width, height, data } (RGBA bytes), got ${img === null ? 'null' : typeof img}`);
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    fail(`img.width and img.height must be positive integers, got ${String(width)}×${String(height)}`);
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) fail('img.data must be a Uint8Array or Uint8ClampedArray of RGBA bytes');
  if (data.length !== width * height * 4) fail(`img.data has ${data.length} bytes, but ${width}×${height} RGBA pixels need ${width * height * 4}`);
}

/**
 * Grey levels with transparency composited onto a page that contrasts with the ink: a transparent PNG holds its ink
 * in the opaque pixels, so the page is white when that ink is dark and black when it is light.
 */
function compositeGrey(img: PixelImage): Float32Array {
  const n = img.width * img.height;
  const d = img.data;
  const luma = new Float32Array(n);
  let transparent = 0;
  let inkSum = 0;
  let inkWeight = 0;
  for (let i = 0; i < n; i++) {
    const a = d[4 * i + 3] / 255;
    const l = 0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2];
    luma[i] = l;
    if (a < 1) transparent++;
    inkSum += l * a;
    inkWeight += a;
  }
  if (transparent === 0) return luma;
  const page = inkWeight > 0 && inkSum / inkWeight < 128 ? 255 : 0;
  for (let i = 0; i < n; i++) {
    const a = d[4 * i + 3] / 255;
    luma[i] = luma[i] * a + page * (1 - a);
  }
  return luma;
}

function median(values: Float32Array | number[]): number {
  const s = Float32Array.from(values).sort();
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

function quantile(sorted: Float32Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
}

/** Width of the border strips that sample the page: 3% of the shorter side, at least one pixel. */
function borderBand(w: number, h: number): number {
  return Math.max(1, Math.round(0.03 * Math.min(w, h)));
}

/** Values of `g` in the border strips of width `band` (corners once). */
function borderValues(g: Float32Array, w: number, h: number, band: number): Float32Array {
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (y < band || y >= h - band) {
      for (let x = 0; x < w; x++) out.push(g[row + x]);
    } else {
      for (let x = 0; x < Math.min(band, w); x++) out.push(g[row + x]);
      for (let x = Math.max(band, w - band); x < w; x++) out.push(g[row + x]);
    }
  }
  return Float32Array.from(out);
}

/** Values of `g` in the rectangle [x0, x1) × [y0, y1). */
function rectValues(g: Float32Array, w: number, x0: number, x1: number, y0: number, y1: number): Float32Array {
  const out = new Float32Array(Math.max(0, (x1 - x0) * (y1 - y0)));
  let k = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out[k++] = g[y * w + x];
  return out;
}

/** The page level as a plane through the medians of the four border strips: robust to ink touching one edge, and it
 * follows the light falloff across a photo of paper (uneven grey backgrounds). */
function pagePlane(g: Float32Array, w: number, h: number): { at: (x: number, y: number) => number; band: number } {
  const band = borderBand(w, h);
  const m = median(borderValues(g, w, h, band));
  const b = Math.min(band, w, h);
  const dx = w > 2 * band ? (median(rectValues(g, w, w - b, w, 0, h)) - median(rectValues(g, w, 0, b, 0, h))) / (w - band) : 0;
  const dy = h > 2 * band ? (median(rectValues(g, w, 0, w, h - b, h)) - median(rectValues(g, w, 0, w, 0, b))) / (h - band) : 0;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  return { at: (x, y) => m + (x - cx) * dx + (y - cy) * dy, band };
}

/** 3×3 box blur (separable, edges averaged over the pixels that exist): single noisy pixels are damped, so extremes
 * come from strokes. */
function blur3(g: Float32Array, w: number, h: number): Float32Array {
  const rows = new Float32Array(g.length);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      const l = x > 0 ? g[r + x - 1] : g[r + x];
      const rt = x < w - 1 ? g[r + x + 1] : g[r + x];
      rows[r + x] = (l + g[r + x] + rt) / 3;
    }
  }
  const out = new Float32Array(g.length);
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? -w : 0;
    const down = y < h - 1 ? w : 0;
    for (let x = 0, i = y * w; x < w; x++, i++) out[i] = (rows[i + up] + rows[i] + rows[i + down]) / 3;
  }
  return out;
}

/** Keeps the ink blobs (8-connected pixels of `mask`) that carry at least MIN_BLOB_FRACTION of the heaviest blob's
 * ink; clears the rest from `mask`. Returns the kept pixel count. */
function dropSpecks(mask: Uint8Array, ink: Float32Array, w: number, h: number): number {
  const label = new Int32Array(mask.length).fill(-1);
  const masses: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start] >= 0) continue;
    const id = masses.length;
    let mass = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop() as number;
      mass += ink[p];
      const px = p % w;
      const py = (p - px) / w;
      const ya = py > 0 ? py - 1 : 0;
      const yb = py < h - 1 ? py + 1 : py;
      const xa = px > 0 ? px - 1 : 0;
      const xb = px < w - 1 ? px + 1 : px;
      for (let yy = ya; yy <= yb; yy++) {
        for (let q = yy * w + xa, end = yy * w + xb; q <= end; q++) {
          if (mask[q] && label[q] < 0) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    masses.push(mass);
  }
  let heaviest = 0;
  for (const m of masses) if (m > heaviest) heaviest = m;
  let kept = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    if (masses[label[p]] >= MIN_BLOB_FRACTION * heaviest) kept++;
    else mask[p] = 0;
  }
  return kept;
}

/**
 * Preprocesses an image of one digit as MNIST was made: grey levels (transparency composited onto the page), inverted
 * when the ink is darker than the page, the page level (a plane fitted to the border, so uneven lighting is followed)
 * subtracted and everything within `threshold` of it cleared, specks dropped, cropped to the ink's bounding box,
 * area-averaged so the longer side is `box` (aspect ratio kept), and placed in a size×size field with its centre of
 * mass at (size/2, size/2), shifted by whole pixels as in MNIST (and kept inside the field). The ink is stretched so
 * its strong strokes reach 255, as MNIST's do. An image without ink gives `empty: true` and an all-background input.
 *
 * @example
 * const input = preprocessDigit(ctx.getImageData(0, 0, w, h), { normalize: MNIST_STATS });
 * const logits = model.forward(tensor(input.data, input.shape));
 */
export function preprocessDigit(img: PixelImage, opts: PreprocessDigitOptions = {}): DigitInput {
  checkImage(img);
  const { size, box, invert, normalize, threshold } = checkOptions(opts);

  // Working copy: grey levels, area-averaged down when the source is large.
  let w = img.width;
  let h = img.height;
  let grey = compositeGrey(img);
  const scale = Math.min(1, WORK_MAX_SIDE / Math.max(w, h));
  if (scale < 1) {
    const nw = Math.max(1, Math.round(w * scale));
    const nh = Math.max(1, Math.round(h * scale));
    grey = resizeBilinear(grey, w, h, nw, nh);
    w = nw;
    h = nh;
  }

  // Polarity: the ink is whichever extreme lies further from the page level.
  const page = pagePlane(grey, w, h);
  const flat = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const start = page.at(0, y);
    const step = page.at(1, y) - start;
    for (let x = 0, i = y * w; x < w; x++, i++) flat[i] = grey[i] - (start + x * step);
  }
  const smooth = blur3(flat, w, h);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < smooth.length; i++) {
    if (smooth[i] < lo) lo = smooth[i];
    if (smooth[i] > hi) hi = smooth[i];
  }
  const inverted = invert === 'auto' ? -lo > hi : invert;
  const sign = inverted ? -1 : 1;
  const ink = new Float32Array(flat.length); // 0 = page, larger = more ink
  for (let i = 0; i < ink.length; i++) ink[i] = sign * flat[i] > 0 ? sign * flat[i] : 0;
  const contrast = inverted ? -lo : hi;

  // Noise level of the page: the spread of the border's ink values around the fitted plane.
  const residual = borderValues(ink, w, h, page.band).sort();
  const noise = Math.max(0, quantile(residual, 0.9) - quantile(residual, 0.5));
  const cut = threshold ?? Math.min(0.5 * contrast, Math.max(0.08 * contrast, 2.5 * noise));

  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = ink[i] > cut ? 1 : 0;
  // Ink must stand out from the page: a blank photo's noise is not a digit.
  const visible = contrast >= Math.max(MIN_CONTRAST, 2.5 * noise);
  const kept = visible ? dropSpecks(mask, ink, w, h) : 0;

  const empty = kept < 2;
  const pixels = new Uint8ClampedArray(size * size);
  const background = normalize ? (0 - normalize.mean) / normalize.std : 0;
  if (empty) return { data: new Float32Array(size * size).fill(background), pixels, shape: [1, 1, size, size], inverted, bbox: null, empty: true };

  // Bounding box of the kept ink, and the level its strong strokes have (the 95th percentile, robust to a few
  // saturated specks), which is stretched to 255.
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  const levels = new Float32Array(kept);
  let k = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      levels[k++] = ink[y * w + x];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  levels.sort();
  const strong = Math.max(cut + 1, quantile(levels, 0.95));
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const p = (y + y0) * w + (x + x0);
      crop[y * bw + x] = mask[p] ? Math.min(1, (ink[p] - cut) / (strong - cut)) * 255 : 0;
    }
  }

  // Scale so the longer side is `box` (area averaging when shrinking, bilinear when enlarging).
  const f = box / Math.max(bw, bh);
  const sw = Math.max(1, Math.min(box, Math.round(bw * f)));
  const sh = Math.max(1, Math.min(box, Math.round(bh * f)));
  const scaled = resizeBilinear(crop, bw, bh, sw, sh);

  // Centre of mass → (size/2, size/2) by a whole-pixel shift, kept inside the field.
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const v = scaled[y * sw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const ox = clampInt(Math.round(size / 2 - (mass ? mx / mass : (sw - 1) / 2)), 0, size - sw);
  const oy = clampInt(Math.round(size / 2 - (mass ? my / mass : (sh - 1) / 2)), 0, size - sh);
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) pixels[(y + oy) * size + (x + ox)] = Math.round(scaled[y * sw + x]);

  const { mean, std } = normalize ?? { mean: 0, std: 1 };
  const data = new Float32Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = (pixels[i] / 255 - mean) / std;

  // Report the box in source pixels (the working copy may be scaled down).
  const sx = img.width / w;
  const sy = img.height / h;
  const bx = Math.floor(x0 * sx);
  const by = Math.floor(y0 * sy);
  const bbox = {
    x: bx, y: by,
    width: Math.min(img.width, Math.ceil((x1 + 1) * sx)) - bx,
    height: Math.min(img.height, Math.ceil((y1 + 1) * sy)) - by,
  };
  return { data, pixels, shape: [1, 1, size, size], inverted, bbox, empty: false };
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
