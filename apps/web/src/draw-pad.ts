/**
 * The drawing canvas: white ink on black, thick round strokes (MNIST digits are white on black with strokes about a
 * tenth of the digit's height). Pointer events cover mouse, pen and touch; `touch-action: none` in the stylesheet
 * keeps touch strokes from scrolling the page.
 */
import type { PixelImage } from './input.js';

export interface DrawPadOptions {
  /** A stroke ended (pointerup): the final prediction. */
  onStrokeEnd(image: PixelImage): void;
  /** Called while drawing, at most every `throttleMs`: a live preview prediction. */
  onDrawing?(image: PixelImage): void;
  throttleMs?: number;
}

/** Stroke width as a fraction of the canvas side. */
const STROKE = 0.075;
/** Side of the copy handed to preprocessing: a quarter of the pixels of the 280-px pad, still ~5× the 20-px box the
 * digit is scaled into, so preprocessing stays a few milliseconds even while drawing. */
const SAMPLE_SIDE = 140;

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  private pointerId: number | null = null;
  private lastLive = 0;
  private inked = false;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly opts: DrawPadOptions) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('DrawPad: this browser gives no 2D canvas context');
    this.ctx = ctx;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.up(e));
  }

  /** Whether anything has been drawn since the last clear. */
  get hasInk(): boolean {
    return this.inked;
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  /** The drawing, downsampled (area-averaged by the browser) to SAMPLE_SIDE pixels. */
  image(): PixelImage {
    const c = this.sample;
    c.ctx.imageSmoothingEnabled = true;
    c.ctx.imageSmoothingQuality = 'high';
    c.ctx.drawImage(this.canvas, 0, 0, c.canvas.width, c.canvas.height);
    return c.ctx.getImageData(0, 0, c.canvas.width, c.canvas.height);
  }

  private readonly sample = ((): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = SAMPLE_SIDE;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('DrawPad: this browser gives no 2D canvas context');
    return { canvas, ctx };
  })();

  /** Pointer position in canvas pixels (the canvas may be scaled by CSS on narrow screens). */
  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.canvas.width, y: ((e.clientY - r.top) / r.height) * this.canvas.height };
  }

  private segment(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = '#fff';
    c.lineWidth = STROKE * this.canvas.width;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x, b.y);
    c.stroke();
    this.inked = true;
  }

  private down(e: PointerEvent): void {
    if (this.pointerId !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.pointerId = e.pointerId;
    this.canvas.setPointerCapture(e.pointerId);
    const p = this.point(e);
    this.segment(p, p); // a tap leaves a dot
    this.last = p;
  }

  private move(e: PointerEvent): void {
    if (e.pointerId !== this.pointerId || !this.last) return;
    e.preventDefault();
    // Coalesced events keep fast strokes smooth where the browser batches pointer moves per frame.
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) {
      const p = this.point(ev);
      this.segment(this.last, p);
      this.last = p;
    }
    const now = performance.now();
    if (this.opts.onDrawing && now - this.lastLive >= (this.opts.throttleMs ?? 200)) {
      this.lastLive = now;
      this.opts.onDrawing(this.image());
    }
  }

  private up(e: PointerEvent): void {
    if (e.pointerId !== this.pointerId) return;
    this.pointerId = null;
    this.last = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.opts.onStrokeEnd(this.image());
  }
}
