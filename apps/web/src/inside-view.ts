/**
 * "Inside the network" (`feature-maps`): every layer's output for the current input (one small canvas per channel,
 * grouped by layer, labelled with the layer's name, type and shape), the first conv layer's filters, and the model
 * summary table. Rendering reads each layer from the backend asynchronously and yields to the browser between layers,
 * so a big model never freezes the page; a newer input cancels a render in progress.
 */
import { F, nn, type Tensor } from '@cnn/core';
import { featureMapsToGrid, filtersToGrid, type GridImage, type SummaryResult } from '@cnn/models';
import { byTestId, drawRgba, el, nextFrame } from './dom.js';

/** Channels shown per layer: a ResNet stage has 512; the first ones are enough to see what a layer does. */
const MAX_CHANNELS = 64;
const DARK: [number, number, number, number] = [17, 24, 39, 255];

const fmt = (n: number): string => n.toLocaleString('en-US');
const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;
const pairText = (p: [number, number] | null): string => (p === null ? '–' : p[0] === p[1] ? String(p[0]) : `${p[0]}×${p[1]}`);

/** Whether the w×h tile at column x0 of a one-row grid has a single colour (featureMapsToGrid draws a constant
 * channel as one flat black tile). */
function isFlatTile(grid: GridImage, x0: number, w: number, h: number): boolean {
  const first = grid.data[x0 * 4];
  for (let y = 0; y < h; y++) {
    for (let x = x0; x < x0 + w; x++) if (grid.data[(y * grid.width + x) * 4] !== first) return false;
  }
  return true;
}

export class InsideView {
  private readonly root = byTestId('feature-maps');
  private readonly layers = el('div', { class: 'layers', 'data-testid': 'layer-maps' });
  private readonly filters = el('div', { class: 'filters', 'data-testid': 'conv-filters' });
  private readonly table = el('div', { class: 'summary-wrap', 'data-testid': 'model-summary' });
  private layerTypes = new Map<string, string>();

  constructor() {
    this.root.replaceChildren(
      el('h3', {}, 'Feature maps of every layer'),
      el('p', { class: 'hint' }, 'Each tile is one channel, scaled to its own range (black: lowest, white: highest).'),
      this.layers,
      el('h3', {}, 'First convolution layer’s filters'),
      this.filters,
      el('h3', {}, 'Model summary'),
      this.table,
    );
    this.clearMaps();
  }

  /** A new model: its summary table and filters; the feature maps wait for an input. */
  async showModel(model: nn.Module, s: SummaryResult): Promise<void> {
    this.layerTypes = new Map(s.layers.map((l) => [l.name, l.type]));
    this.renderSummary(s);
    await this.renderFilters(model);
    this.clearMaps();
  }

  clearMaps(): void {
    this.layers.replaceChildren(el('p', { class: 'hint' }, 'Draw a digit or upload an image to see what each layer computes.'));
  }

  /**
   * Draws every layer's output (`maps`, from the prediction's own traced forward pass: forwardWithFeatureMaps),
   * reading one layer at a time and yielding between layers. Stops early when `stale()` turns true (a newer input is
   * waiting). The caller owns and disposes the tensors.
   */
  async showMaps(maps: ReadonlyMap<string, Tensor>, stale: () => boolean): Promise<void> {
    const figures: HTMLElement[] = [];
    for (const [name, t] of maps) {
      if (stale()) return;
      figures.push(await this.renderLayer(name, t));
      await nextFrame();
    }
    if (!stale()) this.layers.replaceChildren(...figures);
  }

  private async renderLayer(name: string, t: Tensor): Promise<HTMLElement> {
    const type = this.layerTypes.get(name) ?? '';
    const caption = el('figcaption', {}, el('strong', {}, name || '(model)'), ` ${type} `, el('code', {}, shapeText(t.shape)));
    const channels = el('div', { class: 'channels' });
    const figure = el('figure', { class: 'layer', 'data-layer': name, 'data-shape': t.shape.join('x') }, caption, channels);
    if (t.rank === 4 && t.shape[0] === 1) {
      const [, c, h, w] = t.shape;
      const shown = Math.min(c, MAX_CHANNELS);
      const sub = shown < c ? F.slice(t, 1, 0, shown) : t;
      let grid: GridImage;
      try {
        grid = await featureMapsToGrid(sub, { columns: shown, padding: 0 });
      } finally {
        if (sub !== t) sub.dispose();
      }
      const image = new ImageData(new Uint8ClampedArray(grid.data), grid.width, grid.height);
      const side = Math.max(24, Math.min(64, h * 2));
      for (let i = 0; i < shown; i++) {
        const label = `${name} channel ${i}`;
        // A channel with one value everywhere (a ReLU that is off for this whole input) has no image to show.
        const tile = isFlatTile(grid, i * w, w, h)
          ? el('span', { class: 'channel flat', role: 'img', title: `${label}: the same value everywhere`, 'aria-label': `${label}: the same value everywhere` })
          : el('canvas', { class: 'channel', width: w, height: h, title: label, 'aria-label': label });
        tile.style.width = `${side}px`;
        tile.style.height = `${Math.round((side * h) / w)}px`;
        if (tile instanceof HTMLCanvasElement) tile.getContext('2d')?.putImageData(image, -i * w, 0, i * w, 0, w, h);
        channels.append(tile);
      }
      if (shown < c) channels.append(el('span', { class: 'hint' }, `first ${shown} of ${c} channels`));
    } else {
      // A vector (after Flatten / Linear): one strip, one pixel per feature.
      const n = t.size;
      const flat = t.reshape([1, 1, n]);
      let grid: GridImage;
      try {
        grid = await featureMapsToGrid(flat, { padding: 0 });
      } finally {
        flat.dispose();
      }
      const label = `${name}: ${n} features`;
      if (isFlatTile(grid, 0, grid.width, grid.height)) {
        channels.append(el('span', { class: 'channel vector flat', role: 'img', title: `${label}, all equal`, 'aria-label': `${label}, all equal` }));
      } else {
        const canvas = el('canvas', { class: 'channel vector', title: label, 'aria-label': label });
        drawRgba(canvas, grid);
        channels.append(canvas);
      }
    }
    return figure;
  }

  private async renderFilters(model: nn.Module): Promise<void> {
    const conv = model.namedModules().find(([, m]) => m instanceof nn.Conv2d) as [string, nn.Conv2d] | undefined;
    if (!conv) {
      this.filters.replaceChildren(el('p', { class: 'hint' }, 'This model has no 2-D convolution.'));
      return;
    }
    const [name, layer] = conv;
    const [o, c, kh, kw] = layer.weight.shape;
    const grid = await filtersToGrid(layer.weight, { scale: 6, padding: 2, background: DARK });
    const canvas = el('canvas', { class: 'filters-grid', 'aria-label': `${o} filters of ${name}` });
    drawRgba(canvas, grid);
    canvas.style.width = `${Math.min(2 * grid.width, 640)}px`; // 5×5 filters are tiny: show them twice as large
    this.filters.replaceChildren(
      el('figure', { class: 'layer' },
        el('figcaption', {}, el('strong', {}, name), ` ${o} filters of ${c}×${kh}×${kw}${c > 1 && c !== 3 ? ' (mean over input channels)' : ''}`),
        canvas),
    );
  }

  private renderSummary(s: SummaryResult): void {
    const head = ['Layer', 'Type', 'Output shape', 'Params', 'MACs', 'Receptive field'];
    const numeric = [false, false, false, true, true, true];
    const row = (cells: string[], tag: 'td' | 'th' = 'td'): HTMLTableRowElement =>
      el('tr', {}, ...cells.map((c, i) => el(tag, numeric[i] ? { class: 'num' } : {}, c)));
    const table = el('table', { class: 'summary' },
      el('caption', {}, `Input ${shapeText(s.inputShape)} → output ${shapeText(s.outputShape)}`),
      el('thead', {}, row(head, 'th')),
      el('tbody', {}, ...s.layers.map((l) => row([l.name || '(model)', l.type, shapeText(l.outputShape), fmt(l.params), fmt(l.macs), pairText(l.receptiveField)]))),
      el('tfoot', {}, row(['Total', '', '', fmt(s.totalParams), fmt(s.totalMacs), ''])),
    );
    this.table.replaceChildren(table);
  }
}
