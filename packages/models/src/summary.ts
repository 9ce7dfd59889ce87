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
  /** Multiply-accumulates of Conv1d/Conv2d/Linear (bias additions not counted), for the whole input batch. */
  macs: number;
  /** Receptive field [height, width] of one output element, in input pixels; null once the data is no longer
   * spatial (after Flatten / Linear). */
  receptiveField: [number, number] | null;
  /** Jump [height, width]: input pixels between neighbouring output elements (the product of strides). */
  jump: [number, number] | null;
}

export interface SummaryResult {
  inputShape: number[];
  outputShape: number[];
  layers: SummaryLayer[];
  /** All parameters of the model (model.numParameters()). */
  totalParams: number;
  totalMacs: number;
}

export interface SummaryOptions {
  /** Also print the table (formatSummary) with console.log. */
  print?: boolean;
}

type Rf = { r: [number, number]; j: [number, number] } | null;

const pairOf = (v: number | readonly number[] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

/** Kernel, stride and dilation of layers that change the receptive field; null for layers that do not. */
function windowOf(m: nn.Module, x: Tensor, y: Tensor): { k: [number, number]; s: [number, number]; d: [number, number] } | null {
  if (m instanceof nn.Conv2d) return { k: m.config.kernelSize, s: m.config.stride, d: m.config.dilation };
  if (m instanceof nn.Conv1d) {
    const o = (m as unknown as { opts: { stride: [number, number]; dilation: [number, number] } }).opts;
    return { k: [1, m.weight.shape[2]], s: [1, o.stride[1]], d: [1, o.dilation[1]] };
  }
  if (m instanceof nn.MaxPool2d || m instanceof nn.AvgPool2d) {
    const o = m.options;
    return { k: pairOf(o.kernelSize as number | number[], 1), s: pairOf((o.stride ?? o.kernelSize) as number | number[], 1), d: pairOf(o.dilation as number | number[] | undefined, 1) };
  }
  if (m instanceof nn.MaxPool1d || m instanceof nn.AvgPool1d) {
    const o = m.options;
    return { k: [1, o.kernelSize], s: [1, o.stride ?? o.kernelSize], d: [1, o.dilation ?? 1] };
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
    return { k: [kh, kw], s: [sh, sw], d: [1, 1] };
  }
  void y;
  return null;
}

function macsOf(m: nn.Module, y: Tensor): number {
  if (m instanceof nn.Conv2d) return y.size * m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3];
  if (m instanceof nn.Conv1d) return y.size * m.weight.shape[1] * m.weight.shape[2];
  if (m instanceof nn.Linear) return y.size * m.weight.shape[1];
  return 0;
}

const area = (rf: Rf): number => (rf ? rf.r[0] * rf.r[1] : -1);

/**
 * Runs `model` once on zeros of `inputShape` (eval mode, no autograd; every module's training flag is restored) and
 * reports each leaf layer in execution order. Receptive fields follow r_out = r_in + (k−1)·d·j_in,
 * j_out = j_in·s. Where a layer's input comes from a functional op inside a custom forward (a residual F.add), the
 * largest receptive field produced so far inside the enclosing module is used (for a residual block: the main path).
 */
export function summary(model: nn.Module, inputShape: readonly number[], options: SummaryOptions = {}): SummaryResult {
  if (!model || typeof (model as nn.Module).namedModules !== 'function') throw new CnnError('summary: expects a Module');
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new CnnError(`summary: inputShape must be a list of positive integers like [1, 3, 224, 224], got ${JSON.stringify(inputShape)}`);
  }
  const layers: SummaryLayer[] = [];
  let outputShape: number[] = [];
  const info = new WeakMap<Tensor, Rf>();
  const frames: { best: Rf | undefined }[] = [];
  const consider = (rf: Rf | undefined): void => {
    const f = frames[frames.length - 1];
    if (f && rf !== undefined && (f.best === undefined || area(rf) > area(f.best))) f.best = rf;
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
        const y = traceForward(model, () => model.forward(x), {
          enter: (_n, _m, input) => frames.push({ best: rfOf(input) }),
          exit: (_n, _m, _input, output) => {
            const f = frames.pop()!;
            if (!info.has(output)) info.set(output, f.best ?? null);
            consider(info.get(output));
          },
          leaf: ({ name, module, call, input, output }) => {
            const rin = rfOf(input);
            const w = windowOf(module, input, output);
            let rout: Rf;
            if (!rin || module instanceof nn.Linear || module instanceof nn.Flatten || (output.rank < 3 && !w)) rout = null;
            else if (!w) rout = rin;
            else {
              rout = {
                r: [rin.r[0] + (w.k[0] - 1) * w.d[0] * rin.j[0], rin.r[1] + (w.k[1] - 1) * w.d[1] * rin.j[1]],
                j: [rin.j[0] * w.s[0], rin.j[1] * w.s[1]],
              };
            }
            info.set(output, rout);
            consider(rout);
            layers.push({
              name,
              type: module.typeName,
              inputShape: [...input.shape],
              outputShape: [...output.shape],
              params: call === 1 ? module.namedParameters().reduce((a, [, p]) => a + p.size, 0) : 0,
              macs: macsOf(module, output),
              receptiveField: rout ? [...rout.r] : null,
              jump: rout ? [...rout.j] : null,
            });
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
  };
  if (options.print) console.log(formatSummary(result));
  return result;
}

const num = (n: number): string => n.toLocaleString('en-US');
const pairStr = (p: [number, number] | null): string => (p === null ? '-' : p[0] === p[1] ? String(p[0]) : `${p[0]}×${p[1]}`);

/** The summary as a text table, with totals. */
export function formatSummary(s: SummaryResult): string {
  const head = ['Layer', 'Type', 'Output shape', 'Params', 'MACs', 'RF', 'Jump'];
  const rows = s.layers.map((l) => [l.name || '(model)', l.type, `[${l.outputShape.join(', ')}]`, num(l.params), num(l.macs), pairStr(l.receptiveField), pairStr(l.jump)]);
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
    `Total MACs: ${num(s.totalMacs)} (${(s.totalMacs / 1e9).toFixed(3)} G)`,
  ].join('\n');
}
