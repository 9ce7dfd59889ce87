import '@cnn/backend-cpu';
import '@cnn/backend-gpu';
import { F, tensor, setBackend } from '@cnn/core';

let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 * 2 - 1; };
const arr = (n: number) => Float32Array.from({ length: n }, rnd);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

type Case = { x: number[]; w: number[]; opts: Record<string, unknown>; bias: boolean };
const cases: Case[] = [
  { x: [2, 8, 9, 7], w: [8, 8, 3, 3], opts: { padding: 1 }, bias: true },
  { x: [2, 8, 11, 10], w: [12, 4, 3, 2], opts: { stride: [2, 3], padding: [2, 1], dilation: [1, 2], groups: 2 }, bias: false },
  { x: [1, 8, 9, 9], w: [8, 2, 3, 3], opts: { stride: 2, padding: 1, groups: 4 }, bias: true },
  { x: [2, 12, 8, 8], w: [24, 4, 2, 2], opts: { stride: [3, 2], padding: [0, 1], dilation: [2, 1], groups: 3 }, bias: false },
  { x: [1, 4, 7, 6], w: [5, 4, 1, 1], opts: {}, bias: true },
  { x: [2, 3, 8, 8], w: [8, 3, 3, 3], opts: { stride: 1, padding: 'same' }, bias: true },
  { x: [1, 4, 10, 9], w: [4, 1, 3, 3], opts: { padding: 2, dilation: 2, groups: 4 }, bias: false },
  { x: [2, 8, 7, 9], w: [4, 8, 4, 5], opts: { stride: 1, padding: [3, 2], dilation: [1, 2], paddingMode: 'reflect' }, bias: true },
  { x: [1, 80, 5, 5], w: [136, 80, 3, 3], opts: { padding: 1 }, bias: false },
  { x: [3, 16, 33, 33], w: [8, 16, 3, 3], opts: { stride: 2, padding: 1 }, bias: false },
];
type MM = { a: number[]; b: number[]; ta: boolean; tb: boolean };
const mms: MM[] = [
  { a: [5, 7], b: [7, 8], ta: false, tb: false },
  { a: [7, 5], b: [7, 12], ta: true, tb: false },
  { a: [5, 7], b: [16, 7], ta: false, tb: true },
  { a: [3, 6, 70], b: [3, 70, 4], ta: false, tb: false },
  { a: [3, 70, 6], b: [3, 4, 70], ta: true, tb: true },
  { a: [2, 3, 5, 9], b: [9, 20], ta: false, tb: false },
  { a: [9, 130], b: [2, 130, 12], ta: false, tb: false },
  { a: [4, 6], b: [6, 5], ta: false, tb: false },
];

async function runAll(name: string) {
  await setBackend(name);
  seed = 12345;
  const out: Float32Array[] = [];
  for (const c of cases) {
    const x = tensor(arr(prod(c.x)), c.x); x.requiresGrad = true;
    const w = tensor(arr(prod(c.w)), c.w); w.requiresGrad = true;
    const b = c.bias ? tensor(arr(c.w[0]), [c.w[0]]) : null;
    const y = F.conv2d(x, w, b, c.opts as never);
    const g = tensor(arr(prod(y.shape as number[])), y.shape as number[]);
    y.backward(g);
    out.push((await y.data()) as Float32Array, (await x.grad!.data()) as Float32Array, (await w.grad!.data()) as Float32Array);
  }
  for (const m of mms) {
    const a0 = tensor(arr(prod(m.a)), m.a); a0.requiresGrad = true;
    const b0 = tensor(arr(prod(m.b)), m.b); b0.requiresGrad = true;
    const a = m.ta ? a0.transpose(-1, -2) : a0;
    const b = m.tb ? b0.transpose(-1, -2) : b0;
    const y = a.matmul(b);
    const g = tensor(arr(prod(y.shape as number[])), y.shape as number[]);
    y.backward(g);
    out.push((await y.data()) as Float32Array, (await a0.grad!.data()) as Float32Array, (await b0.grad!.data()) as Float32Array);
  }
  return out;
}
const ref = await runAll('cpu');
const got = await runAll('gpu');
let bad = 0;
ref.forEach((r, j) => {
  let worst = 0;
  let idx = -1;
  for (let i = 0; i < r.length; i++) { const e = Math.abs(r[i] - got[j][i]) - (1e-5 + 1e-4 * Math.abs(r[i])); if (e > worst) { worst = e; idx = i; } }
  if (r.length !== got[j].length || worst > 0) { bad++; console.log('MISMATCH', j, Math.floor(j / 3), ['y', 'dx', 'dw'][j % 3], r.length, got[j].length, idx, r[idx], got[j][idx]); }
});
console.log(`checked ${ref.length} arrays, ${bad} bad`);
process.exit(0);
