/**
 * The prediction display: the predicted class with its probability (`prediction`), one bar per class
 * (`probabilities`, each child carrying `data-class` and `data-prob`), and the 28×28 input the model saw.
 */
import { byTestId, drawGrey, el } from './dom.js';

export interface PredictionResult {
  probabilities: Float32Array;
  /** The greyscale input as the model sees it (before normalisation), for display. */
  pixels: Uint8ClampedArray;
  width: number;
  height: number;
}

export class PredictionView {
  private readonly prediction = byTestId('prediction');
  private readonly bars = byTestId('probabilities');
  private readonly input = byTestId<HTMLCanvasElement>('model-input');
  private classNames: string[] = [];

  /** Rebuilds the bars for a model's classes (one child element per class). */
  setClasses(classNames: readonly string[]): void {
    this.classNames = [...classNames];
    this.bars.replaceChildren(
      ...this.classNames.map((name, i) =>
        el('div', { class: 'bar', 'data-class': i, 'data-label': name, 'data-prob': '0', role: 'listitem' },
          el('span', { class: 'bar-label' }, name),
          el('span', { class: 'bar-track', 'aria-hidden': 'true' }, el('span', { class: 'bar-fill' })),
          el('span', { class: 'bar-value' }, '–'),
        ),
      ),
    );
    this.clear();
  }

  show(r: PredictionResult): void {
    const p = r.probabilities;
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    const name = this.classNames[best] ?? String(best);
    this.prediction.dataset.class = String(best);
    this.prediction.replaceChildren(
      el('span', { class: 'prediction-class' }, name),
      el('span', { class: 'prediction-prob' }, `${(p[best] * 100).toFixed(1)}%`),
    );
    this.prediction.setAttribute('aria-label', `Prediction: ${name}, probability ${(p[best] * 100).toFixed(1)} percent`);
    [...this.bars.children].forEach((bar, i) => {
      const v = p[i] ?? 0;
      const node = bar as HTMLElement;
      node.dataset.prob = String(v);
      node.classList.toggle('best', i === best);
      (node.querySelector('.bar-fill') as HTMLElement).style.width = `${(v * 100).toFixed(2)}%`;
      (node.querySelector('.bar-value') as HTMLElement).textContent = `${(v * 100).toFixed(1)}%`;
    });
    drawGrey(this.input, r.pixels, r.width, r.height);
  }

  /** No input (an empty canvas): no predicted class, empty bars, a black input image. */
  clear(message = 'Draw a digit or upload an image'): void {
    delete this.prediction.dataset.class;
    this.prediction.replaceChildren(el('span', { class: 'prediction-empty' }, message));
    this.prediction.removeAttribute('aria-label');
    for (const bar of this.bars.children) {
      const node = bar as HTMLElement;
      node.dataset.prob = '0';
      node.classList.remove('best');
      (node.querySelector('.bar-fill') as HTMLElement).style.width = '0%';
      (node.querySelector('.bar-value') as HTMLElement).textContent = '–';
    }
    const ctx = this.input.getContext('2d');
    if (ctx) {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, this.input.width, this.input.height);
    }
  }
}
