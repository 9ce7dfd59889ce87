/** Matrix products, with gradients expressed as matrix products on the same kernel. */
import type { MatMulGeometry } from '../backend/contract.js';
import { fail, shapeStr } from '../errors.js';
import { broadcastShapes } from '../geometry/broadcast.js';
import type { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { assertFloat, backendOf, makeTensor, record } from './util.js';

/** op(A)·op(B) for 3-D operands [batch or 1, rows, cols]; batch-1 operands broadcast. */
function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const backend = backendOf('matmul', a, b);
  const [ba, ra, ca] = a.shape;
  const [bb, rb, cb] = b.shape;
  const m = transA ? ca : ra;
  const k = transA ? ra : ca;
  const kb = transB ? cb : rb;
  const n = transB ? rb : cb;
  if (k !== kb) fail('matmul', `inner dimensions differ: ${shapeStr(a.shape)}${transA ? 'ᵀ' : ''} · ${shapeStr(b.shape)}${transB ? 'ᵀ' : ''} (${k} vs ${kb})`);
  if (ba !== bb && ba !== 1 && bb !== 1) fail('matmul', `batch dimensions ${ba} and ${bb} cannot be broadcast (shapes ${shapeStr(a.shape)}, ${shapeStr(b.shape)})`);
  const batch = Math.max(ba, bb);
  const geo: MatMulGeometry = { batch, m, n, k, transA, transB, broadcastA: ba === 1 && batch > 1, broadcastB: bb === 1 && batch > 1 };
  const y = makeTensor(backend, backend.matmul(a, b, geo), [batch, m, n]);
  return record(y, 'matmul', [a, b], (dy) => {
    // With op(X) = X or Xᵀ: d op(A) = dY · op(B)ᵀ and d op(B) = op(A)ᵀ · dY, transposed back where stored transposed.
    let ga = a.requiresGrad ? (transA ? mm(b, dy, transB, true) : mm(dy, b, false, !transB)) : null;
    let gb = b.requiresGrad ? (transB ? mm(dy, a, true, transA) : mm(a, dy, !transA, false)) : null;
    if (ga && ba === 1 && batch > 1) ga = sumBatch(ga);
    if (gb && bb === 1 && batch > 1) gb = sumBatch(gb);
    return [ga, gb];
  });
}

function sumBatch(g: Tensor): Tensor {
  const s = sum(g, 0, true);
  g.dispose();
  return s;
}

/**
 * Matrix product with PyTorch's rules for ≥ 2-D operands: the last two dims multiply, leading (batch) dims
 * broadcast when one side has batch size 1. 1-D operands are treated as a row (left) or column (right) vector.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertFloat('matmul', 'a', a);
  assertFloat('matmul', 'b', b);
  if (a.rank === 0 || b.rank === 0) fail('matmul', `operands must be at least 1-D, got shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  const a2 = a.rank === 1 ? [1, a.shape[0]] : a.shape;
  const b2 = b.rank === 1 ? [b.shape[0], 1] : b.shape;
  const lead = (s: readonly number[]): number[] => s.slice(0, -2);
  const la = lead(a2);
  const lb = lead(b2);
  const batchA = la.reduce((x, y) => x * y, 1);
  const batchB = lb.reduce((x, y) => x * y, 1);
  if (batchA !== 1 && batchB !== 1 && la.join() !== lb.join()) {
    fail('matmul', `batch dimensions ${shapeStr(la)} and ${shapeStr(lb)} must match or one must be 1 (shapes ${shapeStr(a.shape)}, ${shapeStr(b.shape)})`);
  }
  if (a2[a2.length - 1] !== b2[b2.length - 2]) {
    fail('matmul', `inner dimensions differ: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} (${a2[a2.length - 1]} vs ${b2[b2.length - 2]})`);
  }
  const ra = reshape(a, [batchA, a2[a2.length - 2], a2[a2.length - 1]]);
  const rb = reshape(b, [batchB, b2[b2.length - 2], b2[b2.length - 1]]);
  const y = mm(ra, rb, false, false);
  // When one side holds a single matrix its batch dims are all 1, yet they still count: [1, 3, 4] · [4, 5] is [1, 3, 5].
  const batchShape = broadcastShapes('matmul', la, lb);
  let outShape = [...batchShape, y.shape[1], y.shape[2]];
  if (a.rank === 1) outShape = outShape.filter((_, i) => i !== outShape.length - 2);
  if (b.rank === 1) outShape = outShape.slice(0, -1);
  const out = reshape(y, outShape);
  return out.own(ra, rb, y);
}

/** y = x·Wᵀ + b for x [..., in], W [out, in], b [out]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertFloat('linear', 'input', x);
  assertFloat('linear', 'weight', weight);
  if (weight.rank !== 2) fail('linear', `weight must be 2-D [outFeatures, inFeatures], got shape ${shapeStr(weight.shape)}`);
  if (x.rank < 1) fail('linear', `input must be at least 1-D [..., inFeatures], got shape ${shapeStr(x.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.shape[x.rank - 1] !== inF) {
    fail('linear', `input shape ${shapeStr(x.shape)} has ${x.shape[x.rank - 1]} features, weight shape ${shapeStr(weight.shape)} expects ${inF}`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outF)) fail('linear', `bias must have shape [${outF}], got ${shapeStr(bias.shape)}`);
  const rows = x.size / inF;
  const x3 = reshape(x, [1, rows, inF]);
  const w3 = reshape(weight, [1, outF, inF]);
  const y3 = mm(x3, w3, false, true);
  const y = reshape(y3, [...x.shape.slice(0, -1), outF]);
  if (!bias) return y.own(x3, w3, y3);
  const out = add(y, bias);
  return out.own(x3, w3, y3, y);
}
