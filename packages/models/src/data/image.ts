/** Turning an arbitrary RGBA/grey image into a model input: grayscale, resize, MNIST-style polarity. Browser-safe. */

export interface PixelImage {
  width: number;
  height: number;
  /** RGBA bytes, row-major (as pngjs and canvas ImageData give them). */
  data: Uint8Array | Uint8ClampedArray;
}

/** Grey levels 0–255 (ITU-R BT.601 luma), alpha composited onto black (transparent pixels are background). */
export function toGrayscale(img: PixelImage): Float32Array {
  const n = img.width * img.height;
  if (img.data.length !== n * 4) throw new Error(`toGrayscale: ${img.data.length} bytes do not hold ${img.width}×${img.height} RGBA pixels`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d = img.data;
    const a = d[4 * i + 3] / 255;
    out[i] = (0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]) * a;
  }
  return out;
}

/** Bilinear resize of a single-channel image (align-corners false, as torchvision / PIL for upsampling). */
export function resizeBilinear(src: Float32Array, width: number, height: number, outW: number, outH: number): Float32Array {
  if (width === outW && height === outH) return src.slice();
  const out = new Float32Array(outW * outH);
  // When shrinking a lot, average over the covered area first (box filter) to avoid aliasing.
  const sx = width / outW;
  const sy = height / outH;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      if (sx > 1 || sy > 1) {
        const x0 = x * sx;
        const y0 = y * sy;
        let acc = 0;
        let wsum = 0;
        for (let yy = Math.floor(y0); yy < Math.min(height, Math.ceil(y0 + sy)); yy++) {
          const wy = Math.min(yy + 1, y0 + sy) - Math.max(yy, y0);
          for (let xx = Math.floor(x0); xx < Math.min(width, Math.ceil(x0 + sx)); xx++) {
            const w = wy * (Math.min(xx + 1, x0 + sx) - Math.max(xx, x0));
            acc += w * src[yy * width + xx];
            wsum += w;
          }
        }
        out[y * outW + x] = wsum ? acc / wsum : 0;
        continue;
      }
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
      const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(x0 + 1, width - 1);
      const y1 = Math.min(y0 + 1, height - 1);
      const ax = fx - x0;
      const ay = fy - y0;
      const top = src[y0 * width + x0] * (1 - ax) + src[y0 * width + x1] * ax;
      const bottom = src[y1 * width + x0] * (1 - ax) + src[y1 * width + x1] * ax;
      out[y * outW + x] = top * (1 - ay) + bottom * ay;
    }
  }
  return out;
}

/**
 * A model input [1, 1, size, size] as float values (normalised when `normalize` is given): grayscale, resized, and
 * inverted when the image is dark-on-light (MNIST digits are light on a dark background; the border decides).
 */
export function imageToInput(
  img: PixelImage,
  opts: { size?: number; normalize?: { mean: number; std: number } | null; invert?: boolean | 'auto' } = {},
): { data: Float32Array; shape: [number, number, number, number]; inverted: boolean } {
  const size = opts.size ?? 28;
  let grey = resizeBilinear(toGrayscale(img), img.width, img.height, size, size);
  let inverted = false;
  const invert = opts.invert ?? 'auto';
  if (invert === true || (invert === 'auto' && borderMean(grey, size) > 127)) {
    grey = grey.map((v) => 255 - v);
    inverted = true;
  }
  const { mean, std } = opts.normalize ?? { mean: 0, std: 1 };
  const data = grey.map((v) => (v / 255 - mean) / std);
  return { data, shape: [1, 1, size, size], inverted };
}

function borderMean(grey: Float32Array, size: number): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < size; i++) {
    for (const j of [0, size - 1]) {
      s += grey[i * size + j] + grey[j * size + i];
      n += 2;
    }
  }
  return s / n;
}
