/**
 * F.interpolate (nearest, bilinear) from existing kernels: nearest is one `gather` with index maps; bilinear is, per
 * axis, a gather of both taps (interleaved, so one pass) times their weights, summed over the tap axis. Gradients
 * come from those ops (gatherBackward adds the taps back). No kernel of its own.
 */
import type { Backend } from '../backend/contract.js';
import type { GatherGeometry } from '../geometry/gather.js';
import { identityMap } from '../geometry/gather.js';
import { linearTaps, nearestIndexMap, resolveInterpolate, type InterpolateOptions } from '../geometry/interpolate.js';
import type { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';
import { sum } from './reduce.js';
import { gatherOp } from './shape.js';
import { assertFloat, backendOf, makeTensor, record } from './util.js';

export type { InterpolateOptions };

export function interpolate(input: Tensor, opts: InterpolateOptions): Tensor {
  return interpolateNamed('interpolate', input, opts);
}

function constant(b: Backend, values: Float32Array, shape: readonly number[]): Tensor {
  return makeTensor(b, b.write(values, 'float32'), shape);
}

export function interpolateNamed(op: string, input: Tensor, opts: InterpolateOptions): Tensor {
  assertFloat(op, 'input', input);
  const geo = resolveInterpolate(op, input.shape, opts);
  const [n, c, inH, inW] = input.shape;
  const { outH, outW } = geo;
  const outer = n * c;
  const b = backendOf(op, input);
  if (geo.mode === 'nearest') {
    const fwd: GatherGeometry = {
      outer, inH, inW, outH, outW,
      rows: nearestIndexMap(inH, outH, geo.scaleH, c === 1), cols: nearestIndexMap(inW, outW, geo.scaleW, c === 1),
    };
    // PyTorch's backward picks input cells by its `nearest_idx` rule, which for several channels can differ from
    // the forward's (see nearestIndexMap); the gradient follows PyTorch, not the exact adjoint of the forward.
    const bwd: GatherGeometry = c === 1 ? fwd : { ...fwd, rows: nearestIndexMap(inH, outH, geo.scaleH, true), cols: nearestIndexMap(inW, outW, geo.scaleW, true) };
    const y = makeTensor(b, b.gather(input, fwd, 0), [n, c, outH, outW]);
    return record(y, op, [input], (dy) => [makeTensor(b, b.gatherBackward(dy, bwd), input.shape)]);
  }
  // Bilinear, width first then height (PyTorch's order of the two weighted sums).
  const cols = linearTaps(inW, outW, geo.alignCorners, geo.scaleW);
  const rows = linearTaps(inH, outH, geo.alignCorners, geo.scaleH);
  const tapsW = gatherOp(op, input, { outer, inH, inW, outH: inH, outW: 2 * outW, rows: identityMap(inH), cols: cols.index }, [n, c, inH, outW, 2]);
  const weightsW = constant(b, cols.weights, [outW, 2]);
  const weightedW = mul(tapsW, weightsW);
  const alongW = sum(weightedW, 4);
  const tapsH = gatherOp(op, alongW, { outer, inH, inW: outW, outH: 2 * outH, outW, rows: rows.index, cols: identityMap(outW) }, [n, c, outH, 2, outW]);
  const weightsH = constant(b, rows.weights, [outH, 2, 1]);
  const weightedH = mul(tapsH, weightsH);
  return sum(weightedH, 3).own(tapsW, weightsW, weightedW, alongW, tapsH, weightsH, weightedH);
}
