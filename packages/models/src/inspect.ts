/**
 * Looking inside a model: a forward-pass tracer (no core hooks needed), every layer's feature maps by name, and
 * image grids of filters and feature maps (plain RGBA pixels; `savePng` in '@cnn/models/node' writes them).
 */
import { CnnError, nn, noGrad, type Tensor } from '@cnn/core';

// ---- tracer ---------------------------------------------------------------------------------------------------

/** One call of a leaf module (a module without children) during a traced forward pass. */
export interface LeafCall {
  /** Dotted module name ('' for the model itself); a module called more than once gets '#2', '#3', … on later calls. */
  name: string;
  /** The module's own name, without the call suffix. */
  moduleName: string;
  module: nn.Module;
  /** 1 for the first call of this module, 2 for the second, … */
  call: number;
  input: Tensor;
  output: Tensor;
}

export interface TraceHooks {
  /** A leaf module returned `output` for `input`. */
  leaf?(call: LeafCall): void;
  /** A module with children is about to run on `input`. */
  enter?(name: string, module: nn.Module, input: Tensor): void;
  /** A module with children returned `output`. */
  exit?(name: string, module: nn.Module, input: Tensor, output: Tensor): void;
}

/**
 * Runs `run` (which should call `model.forward`) with every module of `model` instrumented: each module instance gets
 * its own `forward` property that reports to `hooks` and calls the original; afterwards the instances are restored
 * exactly. Works for any module tree, including custom containers whose forward calls children directly (a ResNet
 * block). Leaves are modules without children; functional ops inside a forward (F.add, flatten) are not seen.
 */
export function traceForward<T>(model: nn.Module, run: () => T, hooks: TraceHooks): T {
  const patched: { module: nn.Module; had: boolean; own: unknown }[] = [];
  const seen = new Set<nn.Module>();
  const calls = new Map<nn.Module, number>();
  try {
    for (const [name, module] of model.namedModules()) {
      if (seen.has(module)) continue; // a module registered under two names keeps its first
      seen.add(module);
      const had = Object.prototype.hasOwnProperty.call(module, 'forward');
      const own = had ? (module as unknown as { forward: unknown }).forward : undefined;
      const original = module.forward;
      const isLeaf = module.namedChildren().length === 0;
      patched.push({ module, had, own });
      // Extra arguments (ConvTranspose2d's outputSize) pass through untouched.
      const wrapped = (x: Tensor, ...rest: unknown[]): Tensor => {
        if (isLeaf) {
          const y = (original as (x: Tensor, ...rest: unknown[]) => Tensor).call(module, x, ...rest);
          const call = (calls.get(module) ?? 0) + 1;
          calls.set(module, call);
          hooks.leaf?.({ name: call === 1 ? name : `${name}#${call}`, moduleName: name, module, call, input: x, output: y });
          return y;
        }
        hooks.enter?.(name, module, x);
        const y = (original as (x: Tensor, ...rest: unknown[]) => Tensor).call(module, x, ...rest);
        hooks.exit?.(name, module, x, y);
        return y;
      };
      Object.defineProperty(module, 'forward', { value: wrapped, configurable: true, writable: true, enumerable: false });
    }
    return run();
  } finally {
    for (const { module, had, own } of patched) {
      if (had) Object.defineProperty(module, 'forward', { value: own, configurable: true, writable: true, enumerable: false });
      else delete (module as unknown as { forward?: unknown }).forward;
    }
  }
}

/** Runs `fn` with every module in eval mode (running BN statistics, no dropout, no state updates), then restores
 * each module's own training flag. */
export function withEval<T>(model: nn.Module, fn: () => T): T {
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return fn();
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
}

// ---- feature maps ---------------------------------------------------------------------------------------------

export interface FeatureMapsOptions {
  /** Run in training mode instead of eval (BN batch statistics, dropout; BN running statistics get updated). */
  train?: boolean;
}

/**
 * Every leaf layer's output for input `x`, keyed by dotted layer name in execution order ('layer1.0.conv1', …;
 * a layer called twice appears as 'name' and 'name#2'). Runs without autograd, in eval mode unless `train`. The
 * tensors share memory with the activations and belong to the caller: dispose them (or call inside tidy).
 */
export function featureMaps(model: nn.Module, x: Tensor, options: FeatureMapsOptions = {}): Map<string, Tensor> {
  const { output, maps } = forwardWithFeatureMaps(model, x, options);
  if (output !== x) output.dispose();
  return maps;
}

/**
 * One forward pass that returns the model's output and every leaf layer's output (as featureMaps), so an app that
 * shows both a prediction and the feature maps runs the model once. The caller owns all returned tensors.
 */
export function forwardWithFeatureMaps(model: nn.Module, x: Tensor, options: FeatureMapsOptions = {}): { output: Tensor; maps: Map<string, Tensor> } {
  const maps = new Map<string, Tensor>();
  const run = (): Tensor => traceForward(model, () => model.forward(x), { leaf: (c) => maps.set(c.name, c.output.detach()) });
  try {
    const output = noGrad(() => (options.train ? run() : withEval(model, run)));
    return { output, maps };
  } catch (err) {
    for (const t of maps.values()) t.dispose();
    throw err;
  }
}

// ---- image grids ----------------------------------------------------------------------------------------------

/** An 8-bit RGBA image, row-major, 4 bytes a pixel, as savePng takes ({ width, height, data }, the shape readPng
 * returns too), with the pixels also under `rgba`. */
export interface GridImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** The same array as `data`. */
  rgba: Uint8ClampedArray;
}

export interface GridOptions {
  /** Tiles per row (default: ⌈√tiles⌉; filtersToGrid 'all' mode: the number of input channels). */
  columns?: number;
  /** Pixels between tiles and around the grid (default 1). */
  padding?: number;
  /** Integer upscaling of every tile pixel (default 1; filters are tiny, try 8). */
  scale?: number;
  /** Colour of the padding, [r, g, b, a] 0-255 (default white). */
  background?: [number, number, number, number];
}

export interface FilterGridOptions extends GridOptions {
  /** 'rgb': one colour tile per filter (needs 3 input channels; the default then). 'mean': one grey tile per filter,
   * the mean over input channels (the default otherwise). 'all': a grey tile per filter and input channel, one row
   * per filter. */
  mode?: 'rgb' | 'mean' | 'all';
}

interface Tile {
  h: number;
  w: number;
  /** 1 (grey) or 3 (RGB) planes of h×w values. */
  planes: 1 | 3;
  data: Float32Array;
  /** Values mapped to 0 and 255 (clamped outside); without it the tile's own min and max. */
  range?: [number, number];
}

function gridFail(op: string, message: string): never {
  throw new CnnError(`${op}: ${message}`);
}

function checkGrid(op: string, o: GridOptions): Required<Omit<GridOptions, 'columns'>> & { columns?: number } {
  const int = (name: string, v: unknown, d: number, min: number): number => {
    if (v === undefined) return d;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) gridFail(op, `${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const bg = o.background ?? [255, 255, 255, 255];
  if (!Array.isArray(bg) || bg.length !== 4 || !bg.every((v) => typeof v === 'number' && v >= 0 && v <= 255)) {
    gridFail(op, `background must be [r, g, b, a] with values 0-255, got ${JSON.stringify(bg)}`);
  }
  return {
    columns: o.columns === undefined ? undefined : int('columns', o.columns, 1, 1),
    padding: int('padding', o.padding, 1, 0),
    scale: int('scale', o.scale, 1, 1),
    background: bg,
  };
}

/** Lays tiles out in a grid, each mapped to 0-255 by its `range` or else its own min and max (a constant tile is
 * black); Uint8ClampedArray clamps values outside a fixed range. */
function tilesToGrid(op: string, tiles: Tile[], options: GridOptions, defaultColumns: number): GridImage {
  const o = checkGrid(op, options);
  if (tiles.length === 0) gridFail(op, 'nothing to draw (no tiles)');
  const cols = Math.min(o.columns ?? defaultColumns, tiles.length);
  const rows = Math.ceil(tiles.length / cols);
  const th = tiles[0].h * o.scale;
  const tw = tiles[0].w * o.scale;
  const width = cols * tw + (cols + 1) * o.padding;
  const height = rows * th + (rows + 1) * o.padding;
  if (width * height > 1 << 28) gridFail(op, `the grid would be ${width}×${height} pixels; lower scale or padding`);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set(o.background, i * 4);
  tiles.forEach((t, n) => {
    let lo = Infinity;
    let hi = -Infinity;
    if (t.range) [lo, hi] = t.range;
    else {
      for (const v of t.data) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const k = hi > lo ? 255 / (hi - lo) : 0;
    const x0 = o.padding + (n % cols) * (tw + o.padding);
    const y0 = o.padding + Math.floor(n / cols) * (th + o.padding);
    const plane = t.h * t.w;
    for (let y = 0; y < th; y++) {
      const sy = Math.floor(y / o.scale);
      for (let x = 0; x < tw; x++) {
        const src = sy * t.w + Math.floor(x / o.scale);
        const dst = ((y0 + y) * width + x0 + x) * 4;
        for (let c = 0; c < 3; c++) rgba[dst + c] = Math.round((t.data[(t.planes === 3 ? c * plane : 0) + src] - lo) * k);
        rgba[dst + 3] = 255;
      }
    }
  });
  return { width, height, data: rgba, rgba };
}

async function readValues(op: string, t: Tensor): Promise<Float32Array> {
  if (!t || typeof (t as Tensor).data !== 'function') gridFail(op, 'expects a Tensor');
  const d = await t.data();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/**
 * Conv filters [outChannels, inChannels, kH, kW] as a grid of tiles (see FilterGridOptions.mode), each normalised by
 * its own range. For the first layer of an RGB network, `filtersToGrid(model.conv1.weight, { scale: 8 })`.
 */
export async function filtersToGrid(weight: Tensor, options: FilterGridOptions = {}): Promise<GridImage> {
  const op = 'filtersToGrid';
  if (!weight || weight.rank !== 4) gridFail(op, `weight must be 4-D [outChannels, inChannels, kH, kW], got shape ${weight ? `[${weight.shape.join(', ')}]` : String(weight)}`);
  const [o, c, h, w] = weight.shape;
  const mode = options.mode ?? (c === 3 ? 'rgb' : 'mean');
  if (!['rgb', 'mean', 'all'].includes(mode)) gridFail(op, `mode must be 'rgb', 'mean' or 'all', got ${JSON.stringify(mode)}`);
  if (mode === 'rgb' && c !== 3) gridFail(op, `mode 'rgb' needs 3 input channels, the weight has ${c} (shape [${weight.shape.join(', ')}]); use 'mean' or 'all'`);
  const v = await readValues(op, weight);
  const plane = h * w;
  const tiles: Tile[] = [];
  for (let f = 0; f < o; f++) {
    const base = f * c * plane;
    if (mode === 'rgb') tiles.push({ h, w, planes: 3, data: v.slice(base, base + 3 * plane) });
    else if (mode === 'all') for (let ch = 0; ch < c; ch++) tiles.push({ h, w, planes: 1, data: v.slice(base + ch * plane, base + (ch + 1) * plane) });
    else {
      const m = new Float32Array(plane);
      for (let ch = 0; ch < c; ch++) for (let i = 0; i < plane; i++) m[i] += v[base + ch * plane + i] / c;
      tiles.push({ h, w, planes: 1, data: m });
    }
  }
  return tilesToGrid(op, tiles, options, mode === 'all' ? c : Math.ceil(Math.sqrt(o)));
}

/** Feature maps [C, H, W] or [1, C, H, W] as a grid of C grey tiles, each normalised by its own range. */
export async function featureMapsToGrid(maps: Tensor, options: GridOptions = {}): Promise<GridImage> {
  const op = 'featureMapsToGrid';
  const shape = maps?.shape;
  if (!shape || !(shape.length === 3 || (shape.length === 4 && shape[0] === 1))) {
    gridFail(op, `maps must be [C, H, W] or [1, C, H, W] (one sample), got shape ${shape ? `[${shape.join(', ')}]` : String(maps)}`);
  }
  const [c, h, w] = shape.slice(-3);
  const v = await readValues(op, maps);
  const tiles: Tile[] = [];
  for (let ch = 0; ch < c; ch++) tiles.push({ h, w, planes: 1, data: v.subarray(ch * h * w, (ch + 1) * h * w) });
  return tilesToGrid(op, tiles, options, Math.ceil(Math.sqrt(c)));
}

export interface ImageGridOptions extends GridOptions {
  /** The values shown as black and white (default [0, 1]; outside is clamped). 'auto': each tile's own min and max. */
  range?: [number, number] | 'auto';
}

/**
 * Images [N, C, H, W] (C = 1 grey or 3 RGB; a Tensor or { data, shape }) as a grid, N tiles in order, row by row.
 * Unlike featureMapsToGrid, values keep one fixed scale (`range`, default [0, 1]), so images can be compared: e.g.
 * noisy input, reconstruction and original side by side with `columns: 3`.
 */
export async function imagesToGrid(images: Tensor | { data: ArrayLike<number>; shape: readonly number[] }, options: ImageGridOptions = {}): Promise<GridImage> {
  const op = 'imagesToGrid';
  const shape = images?.shape;
  if (!shape || shape.length !== 4 || !(shape[1] === 1 || shape[1] === 3)) {
    gridFail(op, `images must be [N, C, H, W] with C 1 or 3, got shape ${shape ? `[${shape.join(', ')}]` : String(images)}`);
  }
  const range = options.range ?? [0, 1];
  if (range !== 'auto' && !(Array.isArray(range) && range.length === 2 && range.every(Number.isFinite) && range[0] < range[1])) {
    gridFail(op, `range must be 'auto' or [low, high] with low < high, got ${JSON.stringify(range)}`);
  }
  const [n, c, h, w] = shape;
  const v = typeof (images as Tensor).dataSync === 'function' || typeof (images as { data: unknown }).data === 'function'
    ? await readValues(op, images as Tensor)
    : Float32Array.from((images as { data: ArrayLike<number> }).data);
  if (v.length !== n * c * h * w) gridFail(op, `data has ${v.length} values, shape [${shape.join(', ')}] needs ${n * c * h * w}`);
  const per = c * h * w;
  const tiles: Tile[] = [];
  for (let i = 0; i < n; i++) tiles.push({ h, w, planes: c as 1 | 3, data: v.subarray(i * per, (i + 1) * per), ...(range === 'auto' ? {} : { range }) });
  return tilesToGrid(op, tiles, options, Math.ceil(Math.sqrt(n)));
}
