/** Tiny DOM helpers: the page is plain DOM modules, and these keep element construction readable. */

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** `el('div', { class: 'x', 'data-testid': 'y' }, child, 'text')`. Boolean attributes are set when true; undefined
 * values are skipped. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** The element with `data-testid="id"` under `root`, or a clear error naming it (the page markup and the code
 * disagree: a programming error, not a user one). */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!found) throw new Error(`the page has no element with data-testid="${id}"`);
  return found;
}

/** Lets the browser paint and handle input before continuing a long piece of work. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(() => setTimeout(resolve, 0));
    else setTimeout(resolve, 0);
  });
}

/** An RGBA image (GridImage, ImageData-like) drawn into a canvas of the same pixel size. */
export function drawRgba(canvas: HTMLCanvasElement, img: { width: number; height: number; data: Uint8ClampedArray | Uint8Array }): void {
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const data = img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  ctx.putImageData(new ImageData(new Uint8ClampedArray(data), img.width, img.height), 0, 0);
}

/** Grey levels 0-255 (one byte a pixel) drawn into a canvas as an opaque image. */
export function drawGrey(canvas: HTMLCanvasElement, grey: Uint8ClampedArray | Uint8Array, width: number, height: number): void {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = grey[i];
    rgba[4 * i + 3] = 255;
  }
  drawRgba(canvas, { width, height, data: rgba });
}

/** The message of anything thrown, without a final full stop (callers continue the sentence). */
export function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\.\s*$/, '');
}
