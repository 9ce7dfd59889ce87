/**
 * `summary(model, inputShape)`: one real forward pass (eval mode, no autograd) traced layer by layer, giving every
 * leaf layer's output shape, parameters, multiply-accumulates and receptive field.
 */
import { CnnError, nn, noGrad, tidy, zeros, type Tensor } from '@cnn/core';
import { traceForward, withEval } from './inspect.js';

export interface SummaryLayer {
  /** Dotted name; a layer called again (ResNet's shared relu) appears again as 'name#2'. */
  name: string;
  /** Class name: 'Conv2d', 'BatchNorm2d', … */
  type: string;
  inputShape: number[];
  outputShape: number[];
  /** Parameters of this layer (counted on its first call only). */
  params: number;
  /** Multiply-accumulates of Conv1d/Conv2d/ConvTranspose1d/ConvTranspose2d/Linear (bias additions not counted), for the
   * whole input batch; 0 for other known layers (activations, norms, pools, padding, shuffles, Unfold/Fold). */
  macs: number;
  /** Receptive field [height, width] of one output element, in input pixels; null once the data is no longer
   * spatial (after Flatten / Linear). */
  receptiveField: [number, number] | null;
  /** Jump [height, width]: input pixels between neighbouring output elements (the product of strides). */
  jump: [number, number] | null;
  /** Present (true) on a layer of a type summary does not know (e.g. a custom leaf module): its MACs are not
   * counted (0) and its receptive field, and every one after it that depends on it, is unknown (null). */
  unknown?: true;
}

export interface SummaryResult {
  inputShape: number[];
  outputShape: number[];
  layers: SummaryLayer[];
  /** All parameters of the model (model.numParameters()). */
  totalParams: number;
  totalMacs: number;
  /** Type names of the layers marked `unknown` (empty when summary knows every layer). */
  unknownTypes: string[];
}

export interface SummaryOptions {
  /** Also print the table (formatSummary) with console.log. */
  print?: boolean;
  /** Throw on a layer type summary does not know instead of marking its row (default false). */
  strict?: boolean;
}

/**
 * A leaf module that runs a graph of its own (an imported ONNX model) can report one row per node instead of one
 * opaque row: summary calls `startNodeLog()` before the forward pass and `takeNodeLog()` when the module's call ends.
 * Rows have no receptive field (null).
 */
export interface SummaryNodeReporter {
  startNodeLog(): void;
  takeNodeLog(): Pick<SummaryLayer, 'name' | 'type' | 'inputShape' | 'outputShape' | 'params' | 'macs'>[];
}

function isNodeReporter(m: nn.Module): m is nn.Module & SummaryNodeReporter {
  const r = m as Partial<SummaryNodeReporter>;
  return typeof r.startNodeLog === 'function' && typeof r.takeNodeLog === 'function';
}

type Rf = { r: [number, number]; j: [number, number] } | null;

const pairOf = (v: number | readonly number[] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

/** How a layer maps the receptive field (r) and jump (j) of its input to its output's. */
type RfRule =
  /** A sliding window: r_out = r_in + (k−1)·d·j_in, j_out = j_in·s. */
  | { kind: 'window'; k: [number, number]; s: [number, number]; d: [number, number] }
  /** A transposed conv: one output reads at most ⌊(k−1)·d/s⌋ + 1 neighbouring inputs, so r_out = r_in + ⌊(k−1)·d/s⌋·j_in
   * and j_out = j_in/s. */
  | { kind: 'transposed'; k: [number, number]; s: [number, number]; d: [number, number] }
  /** Resampling (interpolate): `taps` neighbouring inputs per output and axis (nearest 1, bilinear 2; 1 where the size
   * does not change), j_out = j_in·in/out. */
  | { kind: 'resample'; taps: [number, number]; ratio: [number, number] }
  /** Pointwise in space (activations, batch norm, dropout): unchanged. */
  | { kind: 'same' }
  /** The data stops being spatial (Flatten, Linear): null from here on. */
  | { kind: 'flat' };

/** Leaf layers whose receptive field rule is 'same' and that do no MACs: activations, dropout and channel shuffles
 * act on each position alone; padding shifts positions without widening what one output sees; normalisation layers
 * count as pointwise as BatchNorm does (their statistics, pooled over positions or a batch, are not a receptive
 * field in the usual sense). */
const POINTWISE: readonly (abstract new (...args: never[]) => nn.Module)[] = [
  nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.Sigmoid, nn.Tanh, nn.Softmax, nn.LogSoftmax, nn.Dropout, nn.Identity, nn.BatchNorm1d, nn.BatchNorm2d,
  nn.ReLU6, nn.Hardtanh, nn.Hardswish, nn.Hardsigmoid, nn.SiLU, nn.Mish, nn.Softplus, nn.PReLU,
  nn.GroupNorm, nn.LayerNorm, nn.InstanceNorm2d, nn.Dropout2d, nn.ChannelShuffle, nn.ZeroPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d,
];

/** The receptive-field rule of a leaf layer summary knows; null for any other layer type. */
function rfRuleOf(m: nn.Module, x: Tensor, y: Tensor): RfRule | null {
  if (m instanceof nn.Conv2d) return { kind: 'window', k: m.config.kernelSize, s: m.config.stride, d: m.config.dilation };
  if (m instanceof nn.Conv1d) {
    const o = (m as unknown as { opts: { stride: [number, number]; dilation: [number, number] } }).opts;
    return { kind: 'window', k: [1, m.weight.shape[2]], s: [1, o.stride[1]], d: [1, o.dilation[1]] };
  }
  if (m instanceof nn.ConvTranspose2d) return { kind: 'transposed', k: m.config.kernelSize, s: m.config.stride, d: m.config.dilation };
  if (m instanceof nn.ConvTranspose1d) return { kind: 'transposed', k: [1, m.config.kernelSize], s: [1, m.config.stride], d: [1, m.config.dilation] };
  if (m instanceof nn.Upsample) {
    const taps = m.options.mode === 'bilinear' ? 2 : 1;
    const axis = (i: number): [number, number] => {
      const inSize = x.shape[x.rank - i];
      const outSize = y.shape[y.rank - i];
      return [inSize === outSize ? 1 : taps, inSize / outSize];
    };
    const [h, w] = [axis(2), axis(1)];
    return { kind: 'resample', taps: [h[0], w[0]], ratio: [h[1], w[1]] };
  }
  if (m instanceof nn.MaxPool2d || m instanceof nn.AvgPool2d) {
    const o = m.options;
    return { kind: 'window', k: pairOf(o.kernelSize as number | number[], 1), s: pairOf((o.stride ?? o.kernelSize) as number | number[], 1), d: pairOf(o.dilation as number | number[] | undefined, 1) };
  }
  if (m instanceof nn.MaxPool1d || m instanceof nn.AvgPool1d) {
    const o = m.options;
    return { kind: 'window', k: [1, o.kernelSize], s: [1, o.stride ?? o.kernelSize], d: [1, o.dilation ?? 1] };
  }
  if (m instanceof nn.AdaptiveAvgPool2d || m instanceof nn.AdaptiveMaxPool2d || m instanceof nn.GlobalAvgPool2d) {
    const inH = x.shape[x.rank - 2];
    const inW = x.shape[x.rank - 1];
    const [outH, outW] = m instanceof nn.GlobalAvgPool2d ? [1, 1] : m.outputSize;
    // Equivalent window: stride ⌊in/out⌋, kernel covering the rest (exact when out divides in).
    const axis = (i: number, o: number): [number, number] => {
      const s = Math.max(1, Math.floor(i / o));
      return [Math.max(1, i - (o - 1) * s), s];
    };
    const [kh, sh] = axis(inH, outH);
    const [kw, sw] = axis(inW, outW);
    return { kind: 'window', k: [kh, kw], s: [sh, sw], d: [1, 1] };
  }
  // PixelShuffle(r): each output reads one input pixel, neighbours 1/r input pixels apart; PixelUnshuffle(r): one output
  // position gathers an r×r block (as a window of kernel and stride r).
  if (m instanceof nn.PixelShuffle) {
    const r = m.options.upscaleFactor;
    return { kind: 'resample', taps: [1, 1], ratio: [1 / r, 1 / r] };
  }
  if (m instanceof nn.PixelUnshuffle) {
    const r = m.options.downscaleFactor;
    return { kind: 'window', k: [r, r], s: [r, r], d: [1, 1] };
  }
  // Unfold's columns are no longer an image; Fold makes one from columns: neither keeps a receptive field.
  if (m instanceof nn.Linear || m instanceof nn.Flatten || m instanceof nn.Unfold || m instanceof nn.Fold) return { kind: 'flat' };
  if (POINTWISE.some((c) => m instanceof c)) return { kind: 'same' };
  return null;
}

function applyRule(rule: RfRule, rin: Rf): Rf {
  if (!rin || rule.kind === 'flat') return null;
  const [r, j] = [rin.r, rin.j];
  switch (rule.kind) {
    case 'same':
      return rin;
    case 'window':
      return { r: [r[0] + (rule.k[0] - 1) * rule.d[0] * j[0], r[1] + (rule.k[1] - 1) * rule.d[1] * j[1]], j: [j[0] * rule.s[0], j[1] * rule.s[1]] };
    case 'transposed': {
      const span = (a: 0 | 1): number => Math.floor(((rule.k[a] - 1) * rule.d[a]) / rule.s[a]);
      return { r: [r[0] + span(0) * j[0], r[1] + span(1) * j[1]], j: [j[0] / rule.s[0], j[1] / rule.s[1]] };
    }
    case 'resample':
      return { r: [r[0] + (rule.taps[0] - 1) * j[0], r[1] + (rule.taps[1] - 1) * j[1]], j: [j[0] * rule.ratio[0], j[1] * rule.ratio[1]] };
  }
}

/** Multiply-accumulates (bias additions not counted). A transposed conv scatters every input element into
 * (Cout/groups)·kH·kW outputs: input elements × (Cout/groups) × kH × kW. */
function macsOf(m: nn.Module, x: Tensor, y: Tensor): number {
  if (m instanceof nn.Conv2d) return y.size * m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3];
  if (m instanceof nn.Conv1d) return y.size * m.weight.shape[1] * m.weight.shape[2];
  if (m instanceof nn.ConvTranspose2d) return x.size * m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3];
  if (m instanceof nn.ConvTranspose1d) return x.size * m.weight.shape[1] * m.weight.shape[2];
  if (m instanceof nn.Linear) return y.size * m.weight.shape[1];
  return 0;
}

const area = (rf: Rf): number => (rf ? rf.r[0] * rf.r[1] : -1);

/**
 * Runs `model` once on zeros of `inputShape` (eval mode, no autograd; every module's training flag is restored) and
 * reports each leaf layer in execution order. Receptive fields follow r_out = r_in + (k−1)·d·j_in,
 * j_out = j_in·s for convs and pools; r_out = r_in + ⌊(k−1)·d/s⌋·j_in, j_out = j_in/s for transposed convs (the most
 * inputs one output reads); r_out = r_in (nearest) or r_in + j_in (bilinear), j_out = j_in·in/out for Upsample. A layer
 * type it does not know is marked (`unknown`, listed in `unknownTypes`, "(?)" in the table), or an error with
 * `strict`; it is never silently counted as 0 MACs with an unchanged receptive field. Where a layer's input comes from a functional op inside a custom forward (a residual F.add), the
 * largest receptive field produced so far inside the enclosing module is used (for a residual block: the main path).
 */
export function summary(model: nn.Module, inputShape: readonly number[], options: SummaryOptions = {}): SummaryResult {
  if (!model || typeof (model as nn.Module).namedModules !== 'function') throw new CnnError('summary: expects a Module');
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new CnnError(`summary: inputShape must be a list of positive integers like [1, 3, 224, 224], got ${JSON.stringify(inputShape)}`);
  }
  const layers: SummaryLayer[] = [];
  const unknownTypes = new Set<string>();
  let outputShape: number[] = [];
  const info = new WeakMap<Tensor, Rf>();
  const frames: { best: Rf | undefined }[] = [];
  const consider = (rf: Rf | undefined): void => {
    const f = frames[frames.length - 1];
    if (f && rf !== undefined && (f.best === undefined || area(rf) >= area(f.best))) f.best = rf; // ties: the latest (an upsampled path, not the tensor it came from)
  };
  const rfOf = (x: Tensor): Rf => {
    if (info.has(x)) return info.get(x)!;
    for (let i = frames.length - 1; i >= 0; i--) if (frames[i].best !== undefined) return frames[i].best!;
    return null;
  };

  noGrad(() =>
    tidy(() =>
      withEval(model, () => {
        const x = zeros(inputShape);
        info.set(x, { r: [1, 1], j: [1, 1] });
        for (const [, m] of model.namedModules()) if (isNodeReporter(m)) m.startNodeLog();
        const y = traceForward(model, () => model.forward(x), {
          enter: (_n, _m, input) => frames.push({ best: rfOf(input) }),
          exit: (_n, _m, _input, output) => {
            const f = frames.pop()!;
            if (!info.has(output)) info.set(output, f.best ?? null);
            consider(info.get(output));
          },
          leaf: ({ name, module, call, input, output }) => {
            const nodes = isNodeReporter(module) ? module.takeNodeLog() : [];
            if (nodes.length > 0) {
              for (const n of nodes) layers.push({ ...n, name: name ? `${name}/${n.name}` : n.name, receptiveField: null, jump: null });
              info.set(output, null);
              return;
            }
            const rule = rfRuleOf(module, input, output);
            if (!rule) {
              if (options.strict) {
                throw new CnnError(`summary: layer '${name}' is a ${module.typeName}, a layer type summary does not know (its MACs and receptive field cannot be computed); without strict it is marked in the table`);
              }
              unknownTypes.add(module.typeName);
            }
            // An unknown layer may mix positions in any way: the receptive field is unknown (null) from there on.
            const rout = rule && !(rule.kind === 'same' && output.rank < 3) ? applyRule(rule, rfOf(input)) : null;
            info.set(output, rout);
            consider(rout);
            const row: SummaryLayer = {
              name,
              type: module.typeName,
              inputShape: [...input.shape],
              outputShape: [...output.shape],
              params: call === 1 ? module.namedParameters().reduce((a, [, p]) => a + p.size, 0) : 0,
              macs: macsOf(module, input, output),
              receptiveField: rout ? [...rout.r] : null,
              jump: rout ? [...rout.j] : null,
            };
            if (!rule) row.unknown = true;
            layers.push(row);
          },
        });
        outputShape = [...y.shape];
      }),
    ),
  );
  const result: SummaryResult = {
    inputShape: [...inputShape],
    outputShape,
    layers,
    totalParams: model.numParameters(),
    totalMacs: layers.reduce((a, l) => a + l.macs, 0),
    unknownTypes: [...unknownTypes],
  };
  if (options.print) console.log(formatSummary(result));
  return result;
}

const num = (n: number): string => n.toLocaleString('en-US');
const pairStr = (p: [number, number] | null): string => (p === null ? '-' : p[0] === p[1] ? String(p[0]) : `${p[0]}×${p[1]}`);

/** The summary as a text table, with totals. */
export function formatSummary(s: SummaryResult): string {
  const head = ['Layer', 'Type', 'Output shape', 'Params', 'MACs', 'RF', 'Jump'];
  const rows = s.layers.map((l) => [l.name || '(model)', l.unknown ? `${l.type} (?)` : l.type, `[${l.outputShape.join(', ')}]`, num(l.params), num(l.macs), pairStr(l.receptiveField), pairStr(l.jump)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const right = [false, false, false, true, true, true, true];
  const line = (cells: string[]): string => cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1));
  return [
    line(head),
    rule,
    ...rows.map(line),
    rule,
    `Input shape: [${s.inputShape.join(', ')}]   Output shape: [${s.outputShape.join(', ')}]`,
    `Total params: ${num(s.totalParams)} (${(s.totalParams * 4 / 2 ** 20).toFixed(2)} MiB as float32)`,
    `Total MACs: ${num(s.totalMacs)} (${(s.totalMacs / 1e9).toFixed(3)} G)${s.unknownTypes.length ? ' + unknown' : ''}`,
    ...(s.unknownTypes.length
      ? [`(?) layer types summary does not know: ${s.unknownTypes.join(', ')} — their MACs are not counted and receptive fields after them are unknown`]
      : []),
  ].join('\n');
}
