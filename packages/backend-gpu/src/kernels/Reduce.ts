/**
 * Reductions over the middle axis of `[outer, reduce, inner]`. max / min / argmax / argmin follow PyTorch: a NaN
 * beats everything and the first NaN wins (`cnn_beats_max` / `cnn_beats_min`, which test for NaN explicitly because
 * GLSL comparisons with NaN are undefined); ties keep the first index. Sums use blocked partial sums.
 * A long reduction runs in two passes — chunks of about √reduce, then the chunk results — when one invocation's loop
 * budget (../split.ts) would not hold it, or when few outputs would leave the GPU idle (which also makes sums more
 * accurate). The arg ops carry (value, index) pairs between the passes.
 */
import type { DType, KernelOutput, ReduceGeometry, ReduceOpName } from '@cnn/core';
import { Src, sumLoop } from '../codegen.js';
import { LOOP_BUDGET } from '../split.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

const isArgOp = (op: ReduceOpName): boolean => op === 'argmax' || op === 'argmin';

/** `out`: core's kernelOutput.reduce — `[outer, inner]`, int32 for the arg ops. */
export function reduce(rt: GpuRuntime, op: ReduceOpName, x: GpuData, geo: ReduceGeometry, out: KernelOutput): GpuData {
  const { outer, reduce: r, inner } = geo;
  const isArg = isArgOp(op);
  if (r === 0) return rt.fill(out.size, op === 'sum' || isArg ? 0 : op === 'max' ? -Infinity : Infinity, out.dtype);
  if (r > LOOP_BUDGET || (!isArg && r > 2048 && out.size < 4096)) {
    const chunk = Math.ceil(Math.sqrt(r));
    const nChunks = Math.ceil(r / chunk);
    const partial = reducePass(rt, op, x, outer, r, inner, chunk, nChunks, 'float32');
    if (isArg) return rt.using([partial], () => combineArgs(rt, op, partial, outer, nChunks, inner));
    return rt.using([partial], () => reducePass(rt, op, partial, outer, nChunks, inner, nChunks, 1, out.dtype));
  }
  return reducePass(rt, op, x, outer, r, inner, r, 1, out.dtype);
}

/**
 * Output `[outer, nChunks, inner]`: op over elements [c·chunk, min((c+1)·chunk, r)) of the reduced axis. Arg ops with
 * several chunks give RGBA texels (value, index within the whole axis, 0, 0) for `combineArgs`.
 */
function reducePass(
  rt: GpuRuntime, op: ReduceOpName, x: GpuData, outer: number, r: number, inner: number, chunk: number, nChunks: number, dtype: DType,
): GpuData {
  const isArg = isArgOp(op);
  const s = new Src();
  const [oc, j] = s.divmod('i', inner);
  const [o, c] = s.divmod(oc, nChunks);
  const base = s.let('base', `${o} * ${r * inner} + ${c} * ${chunk * inner} + ${j}`);
  const ragged = nChunks * chunk !== r;
  const limit = ragged ? s.let('lim', `${r} - ${c} * ${chunk}`) : '';
  const n = outer * nChunks * inner;
  if (op === 'sum') {
    s.add('let acc = 0;');
    if (ragged) {
      const t = s.v('t');
      s.add(`for (let ${t} = 0; ${t} < ${chunk}; ${t}++) { if (${t} < ${limit}) { acc += x[${base} + ${t} * ${inner}]; } }`);
    } else {
      sumLoop(s, 'acc', chunk, (k) => `x[${base} + ${k} * ${inner}]`);
    }
    return rt.run(s.kernel(['x'], 'acc'), n, [x], dtype);
  }
  const beats = op === 'max' || op === 'argmax' ? 'cnn_beats_max' : 'cnn_beats_min';
  s.add(`let best = x[${base}];`).add('let arg = 0;');
  const t = s.v('t');
  const inRange = ragged ? `${t} < ${limit} && ` : '';
  s.add(`for (let ${t} = 1; ${t} < ${chunk}; ${t}++) { let v = x[${base} + ${t} * ${inner}]; if (${inRange}${beats}(v, best) > 0.5) { best = v; arg = ${t}; } }`);
  if (isArg && nChunks > 1) return rt.run(s.kernel(['x'], `[best, ${c} * ${chunk} + arg, 0, 0]`), n, [x], 'float32', true);
  return rt.run(s.kernel(['x'], isArg ? 'arg' : 'best'), n, [x], dtype);
}

/** The arg ops' second pass: the (value, index) pairs of the chunks, in order, with the same comparison. */
function combineArgs(rt: GpuRuntime, op: ReduceOpName, partial: GpuData, outer: number, nChunks: number, inner: number): GpuData {
  const beats = op === 'argmax' ? 'cnn_beats_max' : 'cnn_beats_min';
  const s = new Src();
  const [o, j] = s.divmod('i', inner);
  const base = s.let('base', `${o} * ${nChunks * inner} + ${j}`);
  s.add(`let first = P[${base}]; let best = first[0]; let arg = first[1];`);
  s.add(`for (let c = 1; c < ${nChunks}; c++) { let p = P[${base} + c * ${inner}]; if (${beats}(p[0], best) > 0.5) { best = p[0]; arg = p[1]; } }`);
  return rt.run(s.kernel(['P'], 'arg'), outer * inner, [partial], 'int32');
}
