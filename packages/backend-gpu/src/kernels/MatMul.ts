/**
 * Batched matmul. The plain kernel computes one output with a 64-term blocked sum; when n is a multiple of 4 the
 * tiled kernel packs B into an RGBA texture (4 adjacent columns per texel, [batch, k, n/4]) and each invocation
 * computes 4 adjacent outputs of one row (every A fetch feeds 4 multiply-adds, every B fetch brings 4 values); when k
 * is a multiple of 4 too, A is packed 4 consecutive k per texel for a 4×4 step. An unpack pass writes row-major.
 * A k longer than one invocation's loop budget is split (../split.ts): each chunk of k gives partial products, summed
 * after; the packed operands are then zero-padded to whole chunks.
 */
import type { MatMulGeometry } from '@cnn/core';
import { Src, sumLoop, sumLoop4, sumLoop4x4 } from '../codegen.js';
import { unpack4 } from '../pack.js';
import { chunking, sumChunks } from '../split.js';
import type { GpuData, GpuRuntime } from '../runtime.js';

export function matmul(rt: GpuRuntime, a: GpuData, b: GpuData, geo: MatMulGeometry, size: number): GpuData {
  const { m, n, k, transA, transB, broadcastA, broadcastB } = geo;
  if (k === 0) return rt.fill(size, 0);
  if (n % 4 === 0) return matmulPacked(rt, a, b, geo);
  const split = chunking(k, 1);
  const kc = split.perChunk;
  const s = new Src();
  const [chunk, w] = split.chunks === 1 ? ['', 'i'] : s.divmod('i', size);
  const [bm, col] = s.divmod(w, n);
  const [bi, row] = s.divmod(bm, m);
  const aStep = transA ? m : 1;
  const bStep = transB ? 1 : n;
  const k0 = chunk ? ` + ${chunk} * ${kc}` : '';
  const aBase = s.let('ab', `${broadcastA ? '0' : `${bi} * ${m * k}`} + ${row} * ${transA ? 1 : k}${chunk ? ` + ${chunk} * ${kc * aStep}` : ''}`);
  const bBase = s.let('bb', `${broadcastB ? '0' : `${bi} * ${k * n}`} + ${col} * ${transB ? k : 1}${chunk ? ` + ${chunk} * ${kc * bStep}` : ''}`);
  const ragged = split.chunks * kc !== k;
  const left = ragged ? s.let('kl', `${k} - (0${k0})`) : '';
  s.add('let acc = 0;');
  sumLoop(s, 'acc', kc, (kk) => {
    const term = `A[${aBase} + ${kk} * ${aStep}] * B[${bBase} + ${kk} * ${bStep}]`;
    return ragged ? `(${kk} < ${left} ? ${term} : 0)` : term;
  });
  const partial = rt.run(s.kernel(['A', 'B'], 'acc'), split.chunks * size, [a, b]);
  return sumChunks(rt, partial, split.chunks, size, false);
}

/** B packed 4 columns per texel: texel (bi, kk, c4) holds B[bi, kk, 4·c4 + 0..3], zeros for kk ≥ k up to kPad. */
function packB(rt: GpuRuntime, b: GpuData, geo: MatMulGeometry, kPad: number): GpuData {
  const { batch, n, k, transB, broadcastB } = geo;
  const N4 = n / 4;
  const bBatch = broadcastB ? 1 : batch;
  const ps = new Src();
  const [bk, c4] = ps.divmod('i', N4);
  const [pbi, pkk] = bBatch === 1 ? [ps.zero(), bk] : ps.divmod(bk, kPad);
  const pb = ps.let('pb', `${pbi} * ${k * n} + ${transB ? `${c4} * ${4 * k} + ${pkk}` : `${pkk} * ${n} + ${c4} * 4`}`);
  const st = transB ? k : 1;
  return rt.run(ps.kernel(['B'], padded(ps, kPad > k ? `${pkk} < ${k}` : '', [0, 1, 2, 3].map((j) => `B[${pb} + ${j * st}]`))), bBatch * kPad * N4, [b], 'float32', true);
}

/** A packed 4 consecutive k per texel: texel (bi, row, k4) holds A[bi, row, 4·k4 + 0..3] ([batch, m, kPad/4]). */
function packA(rt: GpuRuntime, a: GpuData, geo: MatMulGeometry, kPad: number): GpuData {
  const { batch, m, k, transA, broadcastA } = geo;
  const K4 = kPad / 4;
  const aBatch = broadcastA ? 1 : batch;
  const aStep = transA ? m : 1;
  const qs = new Src();
  const [qbm, qk4] = qs.divmod('i', K4);
  const [qbi, qrow] = aBatch === 1 ? [qs.zero(), qbm] : qs.divmod(qbm, m);
  const qb = qs.let('qb', `${qbi} * ${m * k} + ${qrow} * ${transA ? 1 : k} + ${qk4} * ${4 * aStep}`);
  return rt.run(qs.kernel(['A'], padded(qs, kPad > k ? `${qk4} * 4 < ${k}` : '', [0, 1, 2, 3].map((j) => `A[${qb} + ${j * aStep}]`))), aBatch * m * K4, [a], 'float32', true);
}

/** A texel of `values`, or zeros where `inside` (a condition; '' for always) is false. */
function padded(s: Src, inside: string, values: string[]): string {
  if (!inside) return `[${values.join(', ')}]`;
  s.add('let v0 = 0; let v1 = 0; let v2 = 0; let v3 = 0;');
  s.add(`if (${inside}) { ${values.map((v, j) => `v${j} = ${v};`).join(' ')} }`);
  return '[v0, v1, v2, v3]';
}

function matmulPacked(rt: GpuRuntime, a: GpuData, b: GpuData, geo: MatMulGeometry): GpuData {
  const { batch, m, n, k, transA, broadcastA, broadcastB } = geo;
  const N4 = n / 4;
  const n4 = batch * m * N4;
  const aPacked = k % 4 === 0; // the 4×4 step: one loop iteration per 4 k
  const split = aPacked ? chunking(k / 4, 1) : chunking(k, 1);
  const kc = aPacked ? 4 * split.perChunk : split.perChunk; // k per chunk
  const kPad = split.chunks * kc;
  const s = new Src();
  const [chunk, w] = split.chunks === 1 ? ['', 'i'] : s.divmod('i', n4);
  const [bm, col4] = s.divmod(w, N4);
  const [bi, row] = s.divmod(bm, m);
  const bBase = s.let('bb', `${broadcastB ? '0' : `${bi} * ${kPad * N4}`} + ${col4}${chunk ? ` + ${chunk} * ${kc * N4}` : ''}`);
  s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
  if (aPacked) {
    const K4 = kPad / 4;
    const a4Base = s.let('a4b', `${broadcastA ? '0' : `${bi} * ${m * K4}`} + ${row} * ${K4}${chunk ? ` + ${chunk} * ${kc / 4}` : ''}`);
    sumLoop4x4(s, ['a0', 'a1', 'a2', 'a3'], kc / 4, (k4, sv, vs) =>
      `let ${sv} = AP[${a4Base} + ${k4}]; ${vs.map((v, j) => `let ${v} = BP[${bBase} + (${k4} * 4 + ${j}) * ${N4}];`).join(' ')}`);
  } else {
    const aStep = transA ? m : 1;
    const aBase = s.let('ab', `${broadcastA ? '0' : `${bi} * ${m * k}`} + ${row} * ${transA ? 1 : k}${chunk ? ` + ${chunk} * ${kc * aStep}` : ''}`);
    // past k (the last chunk's padding) B's packed rows are zero and A is not read
    const left = kPad > k ? s.let('kl', `${k} - ${chunk} * ${kc}`) : '';
    sumLoop4(s, ['a0', 'a1', 'a2', 'a3'], kc, (kk, sv, vv) =>
      `let ${sv} = ${left ? `${kk} < ${left} ? A[${aBase} + ${kk} * ${aStep}] : 0` : `A[${aBase} + ${kk} * ${aStep}]`}; let ${vv} = BP[${bBase} + ${kk} * ${N4}];`);
  }
  const bp = packB(rt, b, geo, kPad);
  const partial = rt.using([bp], () => {
    if (!aPacked) return rt.run(s.kernel(['A', 'BP'], '[a0, a1, a2, a3]'), split.chunks * n4, [a, bp], 'float32', true);
    const ap = packA(rt, a, geo, kPad);
    return rt.using([ap], () => rt.run(s.kernel(['AP', 'BP'], '[a0, a1, a2, a3]'), split.chunks * n4, [ap, bp], 'float32', true));
  });
  return unpack4(rt, sumChunks(rt, partial, split.chunks, n4, true), batch * m, n, 1);
}
