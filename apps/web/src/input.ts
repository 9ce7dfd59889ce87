/** What the model is asked about: a drawing or an uploaded image, as RGBA pixels, decoded and bounded in size. */

import type { PixelImage } from '@cnn/models';

export type { PixelImage };

export interface InputImage {
  image: PixelImage;
  /** true: the image is already white ink on black (the drawing pad); 'auto': decide from the image (uploads). */
  invert: boolean | 'auto';
  kind: 'drawing' | 'upload';
}

/** Uploads are scaled down to at most this side before preprocessing (a phone photo has 12 million pixels; the
 * model needs 784). */
const MAX_SIDE = 512;

const ACCEPTED = ['image/png', 'image/jpeg'];

/**
 * Decodes a PNG or JPEG file into RGBA pixels (at most MAX_SIDE on the longer side) and draws it into `thumbnail`.
 * Transparency is kept: preprocessDigit composites it onto a page that contrasts with the ink. Rejects with a clear
 * message for anything that is not a decodable image.
 */
export async function decodeImageFile(file: File, thumbnail: HTMLCanvasElement): Promise<PixelImage> {
  if (file.type && !ACCEPTED.includes(file.type)) {
    throw new Error(`image upload: '${file.name}' is ${file.type}; upload a PNG or JPEG image`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`image upload: '${file.name}' could not be decoded as an image (is it a PNG or JPEG?)`);
  }
  try {
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('image upload: this browser gives no 2D canvas context');
    ctx.drawImage(bitmap, 0, 0, width, height);
    const image = ctx.getImageData(0, 0, width, height);
    thumbnail.width = width;
    thumbnail.height = height;
    thumbnail.getContext('2d')?.drawImage(canvas, 0, 0);
    return image;
  } finally {
    bitmap.close();
  }
}
