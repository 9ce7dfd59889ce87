/**
 * Summaries of a profile (./profile.ts): time per op type (backend kernel) and per layer, and a plain-text report.
 */
import type { Profile, ProfileRecord } from './profile.js';

export interface KernelSummary {
  kernel: string;
  /** The variant, with `byKernel(records, { detail: true })`; '' otherwise. */
  detail: string;
  ms: number;
  count: number;
  /** Fraction of all the records' time (0–1). */
  share: number;
}

export interface LayerSummary {
  /** Dotted module name (cut to `depth` parts when given), or '' outside every module and scope. */
  layer: string;
  ms: number;
  forwardMs: number;
  backwardMs: number;
  count: number;
  share: number;
}

const total = (records: readonly ProfileRecord[]) => records.reduce((a, r) => a + r.ms, 0);

/** Time per kernel (op type), largest first; with `detail`, per variant of each kernel ('fusedConv2d' '1×1'). */
export function byKernel(records: readonly ProfileRecord[], options: { detail?: boolean } = {}): KernelSummary[] {
  const all = total(records);
  const m = new Map<string, KernelSummary>();
  for (const r of records) {
    const detail = options.detail ? r.detail : '';
    const key = `${r.kernel}\0${detail}`;
    const s = m.get(key) ?? { kernel: r.kernel, detail, ms: 0, count: 0, share: 0 };
    s.ms += r.ms;
    s.count += r.count;
    m.set(key, s);
  }
  for (const s of m.values()) s.share = all > 0 ? s.ms / all : 0;
  return [...m.values()].sort((a, b) => b.ms - a.ms);
}

/** Time per layer, largest first. `depth` merges sub-layers: depth 2 puts 'layer1.0.conv1' under 'layer1.0'. */
export function byLayer(records: readonly ProfileRecord[], options: { depth?: number } = {}): LayerSummary[] {
  const all = total(records);
  const m = new Map<string, LayerSummary>();
  for (const r of records) {
    const layer = options.depth && options.depth > 0 ? r.layer.split('.').slice(0, options.depth).join('.') : r.layer;
    const s = m.get(layer) ?? { layer, ms: 0, forwardMs: 0, backwardMs: 0, count: 0, share: 0 };
    s.ms += r.ms;
    if (r.phase === 'backward') s.backwardMs += r.ms;
    else s.forwardMs += r.ms;
    s.count += r.count;
    m.set(layer, s);
  }
  for (const s of m.values()) s.share = all > 0 ? s.ms / all : 0;
  return [...m.values()].sort((a, b) => b.ms - a.ms);
}

export interface FormatProfileOptions {
  /** Layers listed (default 15; the rest are summed in one line). */
  top?: number;
  /** As byLayer's `depth`. */
  depth?: number;
  /** Op types listed, split by variant (default 20; the rest summed in one line). */
  topOps?: number;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [head, ...rows].map(line).join('\n');
}

const ms = (v: number) => v.toFixed(2);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** A plain-text report: time per op type, the top layers, and the memory peak. */
export function formatProfile(p: Profile<unknown>, options: FormatProfileOptions = {}): string {
  const top = options.top ?? 15;
  const kernels = byKernel(p.records, { detail: true });
  const opRows = kernels.slice(0, options.topOps ?? 20).map((k) => [k.detail ? `${k.kernel} ${k.detail}` : k.kernel, ms(k.ms), pct(k.share), String(k.count)]);
  const otherOps = kernels.slice(options.topOps ?? 20);
  if (otherOps.length) {
    const sum = (f: (k: KernelSummary) => number) => otherOps.reduce((a, k) => a + f(k), 0);
    opRows.push([`(${otherOps.length} more)`, ms(sum((k) => k.ms)), pct(sum((k) => k.share)), String(sum((k) => k.count))]);
  }
  const layers = byLayer(p.records, { depth: options.depth });
  const hasBackward = p.records.some((r) => r.phase === 'backward');
  const layerRows = layers.slice(0, top).map((l) => [
    l.layer || '(outside modules)', ms(l.ms), pct(l.share), ...(hasBackward ? [ms(l.forwardMs), ms(l.backwardMs)] : []), String(l.count),
  ]);
  const rest = layers.slice(top);
  if (rest.length) {
    const sum = (f: (l: LayerSummary) => number) => rest.reduce((a, l) => a + f(l), 0);
    layerRows.push([`(${rest.length} more)`, ms(sum((l) => l.ms)), pct(sum((l) => l.share)),
      ...(hasBackward ? [ms(sum((l) => l.forwardMs)), ms(sum((l) => l.backwardMs))] : []), String(sum((l) => l.count))]);
  }
  const { startBytes, peakBytes } = p.memory;
  return [
    `backend ${p.backend}: ${ms(p.wallMs)} ms wall, ${ms(p.kernelMs)} ms in kernels`,
    '',
    table(['op type', 'ms', '%', 'calls'], opRows),
    '',
    table(['layer', 'ms', '%', ...(hasBackward ? ['fwd ms', 'bwd ms'] : []), 'calls'], layerRows),
    '',
    `peak backend memory: ${mib(peakBytes - startBytes)} above the start (${mib(peakBytes)} in all)`,
  ].join('\n');
}
