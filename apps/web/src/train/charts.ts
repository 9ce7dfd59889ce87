/**
 * Live loss and accuracy charts (uPlot): one point per training step, the step's own value (thin, grey) and the
 * epoch's running mean (bold). Points arrive with every step message; the charts redraw at most once per frame.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StepMessage } from './protocol.js';

const HEIGHT = 180;

interface Series {
  step: number[];
  value: number[];
  running: number[];
}

function emptySeries(): Series {
  return { step: [], value: [], running: [] };
}

function makePlot(el: HTMLElement, title: string, yLabel: string, width: number, range?: [number, number]): uPlot {
  const opts: uPlot.Options = {
    title,
    width,
    height: HEIGHT,
    scales: { x: { time: false }, y: range ? { range } : { auto: true } },
    axes: [{ label: 'step' }, { label: yLabel, size: 56 }],
    series: [
      { label: 'step' },
      { label: 'this step', stroke: '#9aa4b1', width: 1, points: { show: false } },
      { label: 'epoch mean', stroke: '#d0452f', width: 2, points: { show: false } },
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
  return new uPlot(opts, [[], [], []], el);
}

export class TrainCharts {
  private readonly loss: uPlot;
  private readonly accuracy: uPlot;
  private lossData = emptySeries();
  private accData = emptySeries();
  private frame = 0;
  private readonly resize: ResizeObserver;

  constructor(private readonly root: HTMLElement) {
    const width = this.chartWidth();
    const lossEl = root.appendChild(document.createElement('div'));
    lossEl.dataset.testid = 'train-chart-loss';
    const accEl = root.appendChild(document.createElement('div'));
    accEl.dataset.testid = 'train-chart-accuracy';
    this.loss = makePlot(lossEl, 'Training loss', 'cross entropy', width);
    this.accuracy = makePlot(accEl, 'Training accuracy', 'accuracy', width, [0, 1]);
    this.resize = new ResizeObserver(() => {
      const w = this.chartWidth();
      this.loss.setSize({ width: w, height: HEIGHT });
      this.accuracy.setSize({ width: w, height: HEIGHT });
    });
    this.resize.observe(root);
  }

  /** Two charts side by side when there is room, else stacked. */
  private chartWidth(): number {
    const w = this.root.clientWidth || 640;
    return Math.max(260, w >= 700 ? Math.floor(w / 2) - 12 : w - 8);
  }

  /** Points drawn so far (for tests and the status line). */
  get points(): number {
    return this.lossData.step.length;
  }

  reset(): void {
    this.lossData = emptySeries();
    this.accData = emptySeries();
    this.draw();
  }

  add(m: StepMessage): void {
    this.lossData.step.push(m.step);
    this.lossData.value.push(m.loss);
    this.lossData.running.push(m.runningLoss);
    this.accData.step.push(m.step);
    this.accData.value.push(m.accuracy);
    this.accData.running.push(m.runningAccuracy);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  /** Draws what has arrived (also called at the end, so the last points show even without a frame). */
  draw(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.loss.setData([this.lossData.step, this.lossData.value, this.lossData.running]);
    this.accuracy.setData([this.accData.step, this.accData.value, this.accData.running]);
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    this.loss.destroy();
    this.accuracy.destroy();
  }
}
