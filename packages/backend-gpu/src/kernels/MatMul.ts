/**
 * Batched matmul. The plain kernel computes one output with a 64-term blocked sum; when n is a multiple of 4 the
 * tiled kernel packs B into an RGBA texture (4 adjacent columns per texel, [batch, k, n/4]) and each invocation
 * computes 4 adjacent outputs of one row (every A fetch feeds 4 multiply-adds, every B fetch brings 4 values); when k
 * is a multiple of 4 too, A is packed 4 consecutive k per texel for a 4×4 step. An unpack pass writes row-major.
 */
import type { MatMulGeometry } from '@cnn/core';
import { Src, sumLoop, sumLoop4, sumLoop4x4 } from '../codegen.js';
import { unpack4 } from '../pack.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function matmul(rt: GpuRuntime, a: GpuData, b: GpuData, geo: MatMulGeometry, size: number): GpuData {
  const { batch, m, n, k, transA, transB, broadcastA, broadcastB } = geo;
  if (k === 0) return rt.fill(size, 0);
  if (n % 4 === 0) return matmulPacked(rt, a, b, geo);
  const s = new Src();
  const [bm, col] = s.divmod('i', n);
  const [bi, row] = s.divmod(bm, m);
  const aBase = s.let('ab', `${broadcastA ? '0' : `${bi} * ${m * k}`} + ${row} * ${transA ? 1 : k}`);
  const bBase = s.let('bb', `${broadcastB ? '0' : `${bi} * ${k * n}`} + ${col} * ${transB ? k : 1}`);
  const aStep = transA ? m : 1;
  const bStep = transB ? 1 : n;
  s.add('let acc = 0;');
  sumLoop(s, 'acc', k, (kk) => `A[${aBase} + ${kk} * ${aStep}] * B[${bBase} + ${kk} * ${bStep}]`);
  return rt.run(s.kernel(['A', 'B'], 'acc'), batch * m * n, [a, b]);
}

/** B packed 4 columns per texel: texel (bi, kk, c4) holds B[bi, kk, 4·c4 + 0..3]. */
function packB(rt: GpuRuntime, b: GpuData, geo: MatMulGeometry): GpuData {
  const { batch, n, k, transB, broadcastB } = geo;
  const N4 = n / 4;
  const bBatch = broadcastB ? 1 : batch;
  const ps = new Src();
  const [bk, c4] = ps.divmod('i', N4);
  const [pbi, pkk] = bBatch === 1 ? [ps.zero(), bk] : ps.divmod(bk, k);
  const pb = ps.let('pb', `${pbi} * ${k * n} + ${transB ? `${c4} * ${4 * k} + ${pkk}` : `${pkk} * ${n} + ${c4} * 4`}`);
  const st = transB ? k : 1;
  return rt.run(ps.kernel(['B'], `[B[${pb}], B[${pb} + ${st}], B[${pb} + ${2 * st}], B[${pb} + ${3 * st}]]`), bBatch * k * N4, [b], 'float32', true);
}

/** A packed 4 consecutive k per texel: texel (bi, row, k4) holds A[bi, row, 4·k4 + 0..3] ([batch, m, k/4]). */
function packA(rt: GpuRuntime, a: GpuData, geo: MatMulGeometry): GpuData {
  const { batch, m, k, transA, broadcastA } = geo;
  const K4 = k / 4;
  const aBatch = broadcastA ? 1 : batch;
  const aStep = transA ? m : 1;
  const qs = new Src();
  const [qbm, qk4] = qs.divmod('i', K4);
  const [qbi, qrow] = aBatch === 1 ? [qs.zero(), qbm] : qs.divmod(qbm, m);
  const qb = qs.let('qb', `${qbi} * ${m * k} + ${qrow} * ${transA ? 1 : k} + ${qk4} * ${4 * aStep}`);
  return rt.run(qs.kernel(['A'], `[A[${qb}], A[${qb} + ${aStep}], A[${qb} + ${2 * aStep}], A[${qb} + ${3 * aStep}]]`), aBatch * m * K4, [a], 'float32', true);
}

function matmulPacked(rt: GpuRuntime, a: GpuData, b: GpuData, geo: MatMulGeometry): GpuData {
  const { batch, m, n, k, transA, broadcastA, broadcastB } = geo;
  const N4 = n / 4;
  const s = new Src();
  const [bm, col4] = s.divmod('i', N4);
  const [bi, row] = s.divmod(bm, m);
  const aBase = s.let('ab', `${broadcastA ? '0' : `${bi} * ${m * k}`} + ${row} * ${transA ? 1 : k}`);
  const bBase = s.let('bb', `${broadcastB ? '0' : `${bi} * ${k * N4}`} + ${col4}`);
  const aStep = transA ? m : 1;
  s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
  const aPacked = k % 4 === 0;
  if (aPacked) {
    const K4 = k / 4;
    const a4Base = s.let('a4b', `${broadcastA ? '0' : `${bi} * ${m * K4}`} + ${row} * ${K4}`);
    sumLoop4x4(s, ['a0', 'a1', 'a2', 'a3'], K4, (k4, sv, vs) =>
      `let ${sv} = AP[${a4Base} + ${k4}]; ${vs.map((v, j) => `let ${v} = BP[${bBase} + (${k4} * 4 + ${j}) * ${N4}];`).join(' ')}`);
  } else {
    sumLoop4(s, ['a0', 'a1', 'a2', 'a3'], k, (kk, sv, vv) => `let ${sv} = A[${aBase} + ${kk} * ${aStep}]; let ${vv} = BP[${bBase} + ${kk} * ${N4}];`);
  }
  const bp = packB(rt, b, geo);
  const tile = rt.using([bp], () => {
    if (!aPacked) return rt.run(s.kernel(['A', 'BP'], '[a0, a1, a2, a3]'), batch * m * N4, [a, bp], 'float32', true);
    const ap = packA(rt, a, geo);
    return rt.using([ap], () => rt.run(s.kernel(['AP', 'BP'], '[a0, a1, a2, a3]'), batch * m * N4, [ap, bp], 'float32', true));
  });
  return unpack4(rt, tile, batch * m, n, 1);
}
