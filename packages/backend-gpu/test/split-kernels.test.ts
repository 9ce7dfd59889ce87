// Reductions longer than one shader invocation may loop: llvmpipe (headless-gl without a GPU) silently stops an
// invocation after 65,535 loop iterations, so these kernels cut the work into chunks (src/split.ts). Each case needs
// more than 65,535 iterations unsplit (each fails with the split turned off) and is compared with the cpu backend,
// outputs and gradients, at the fixtures' tolerance. The pooling and arg cases place NaN, ties and the extreme late
// in the scan, so the chunks' results must be combined in scan order. Needs a display: run through `pnpm test`
// (scripts/test.sh adds xvfb-run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBackend, F, setBackend, tensor, type Conv2dOptions, type Tensor } from '@cnn/core';
import '@cnn/backend-cpu';
import '@cnn/backend-gpu';

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648), (s / 2147483648) * 2 - 1));
}
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A leaf of pseudo-random values, some entries replaced (NaN, ties, a late extreme). */
function leaf(shape: number[], seed: number, set: Record<number, number> = {}): Tensor {
  const v = values(size(shape), seed);
  for (const [i, x] of Object.entries(set)) v[Number(i)] = x;
  const t = tensor(v, shape);
  t.requiresGrad = true;
  return t;
}

/** Output and the gradients of every input, on the named backend. */
async function run(backend: string, build: () => { y: Tensor; inputs: Tensor[] }): Promise<Float32Array[]> {
  await setBackend(backend);
  const { y, inputs } = build();
  const g = tensor(values(size(y.shape), 7), y.shape);
  y.backward(g);
  const out = [(await y.data()) as Float32Array];
  for (const t of inputs) out.push((await t.grad!.data()) as Float32Array);
  for (const t of [y, g, ...inputs]) t.dispose();
  return out;
}

function expectClose(got: Float32Array[], want: Float32Array[]): void {
  expect(got.map((a) => a.length)).toEqual(want.map((a) => a.length));
  const close = (g: number, e: number) => (Number.isNaN(e) ? Number.isNaN(g) : Math.abs(g - e) <= 1e-5 + 1e-4 * Math.abs(e));
  want.forEach((w, k) => {
    const bad = [...w].findIndex((e, i) => !close(got[k][i], e));
    expect(bad, `array ${k}: element ${bad} got ${got[k][bad]}, cpu ${w[bad]}`).toBe(-1);
  });
}

type Build = () => { y: Tensor; inputs: Tensor[] };
const conv = (x: number[], w: number[], opts: Conv2dOptions): Build => () => {
  const xt = leaf(x, 1);
  const wt = leaf(w, 2);
  return { y: F.conv2d(xt, wt, null, opts), inputs: [xt, wt] };
};
const matmul = (a: number[], b: number[], transB = false): Build => () => {
  const at = leaf(a, 4);
  const bt = leaf(b, 5);
  return { y: F.matmul(at, transB ? bt.transpose(0, 1) : bt), inputs: [at, bt] };
};
const unaryOp = (shape: number[], set: Record<number, number>, f: (x: Tensor) => Tensor): Build => () => {
  const x = leaf(shape, 6, set);
  return { y: f(x), inputs: [x] };
};

const CASES: [string, Build][] = [
  // the filter gradient reduces over N·outH·outW: chunks of rows (plain kernel, 4×4-rows tile, 1×4 tile)
  ['conv2d dw over 1031×1030 (plain)', conv([1, 1, 1031, 1030], [1, 1, 3, 3], { padding: 1 })],
  ['conv2d dw over 2×520×520 (4×4 rows tile)', conv([2, 4, 520, 520], [4, 4, 3, 3], { padding: 1 })],
  ['conv2d dw over 1100×1100, 8 channels (1×4 tile)', conv([1, 8, 1100, 1100], [4, 8, 3, 3], { padding: 1 })],
  // conv2d and its input gradient reduce over channels × taps: chunks of channels
  ['conv2d over 8192 input channels (plain)', conv([1, 8192, 3, 3], [3, 8192, 3, 3], { padding: 1 })],
  ['conv2d over 32768 input channels (4×4 tile)', conv([1, 32768, 3, 3], [4, 32768, 3, 3], { padding: 1 })],
  ['conv2d dx over 8192 output channels (plain)', conv([1, 3, 3, 3], [8192, 3, 3, 3], { padding: 1 })],
  ['conv2d dx over 32768 output channels (4×4 tile)', conv([1, 4, 3, 3], [32768, 4, 3, 3], { padding: 1 })],
  // matmul over a long k: chunks of k (plain, 1×4 with a short last chunk, 4×4)
  ['matmul k=70001 n=3 (plain)', matmul([2, 70001], [70001, 3])],
  ['matmul k=70001 n=4 (1×4 tile)', matmul([2, 70001], [70001, 4])],
  ['matmul k=270000 n=8, B transposed (4×4 tile)', matmul([3, 270000], [8, 270000], true)],
  // global pooling of a large map: blocks of the window, picks combined by index (NaN: the last; ties: the first)
  ['adaptiveMaxPool2d(1) over 300×300 with NaN and tied maxima', unaryOp([1, 2, 300, 300], { 100: NaN, 80000: NaN, 90050: 3, 179000: 3 }, (x) => F.adaptiveMaxPool2d(x, 1))],
  ['adaptiveMaxPool2d(1) over 1×70000, tied maxima late', unaryOp([1, 1, 1, 70000], { 65600: 2, 69000: 2 }, (x) => F.adaptiveMaxPool2d(x, 1))],
  ['adaptiveAvgPool2d(1) over 1×70000', unaryOp([1, 1, 1, 70000], {}, (x) => F.adaptiveAvgPool2d(x, 1))],
  // (max over a long row already ran in two passes; the arg ops below did not)
  ['max over 100003 with the maximum last', unaryOp([2, 100003], { 100002: 5, 200005: 7, 199003: 7 }, (x) => F.max(x, 1))],
];

describe('split gpu kernels agree with the cpu backend', () => {
  beforeAll(async () => {
    await setBackend('gpu');
  });
  afterAll(async () => {
    await disposeBackend('gpu');
  });

  for (const [name, build] of CASES) {
    it(name, async () => {
      expectClose(await run('gpu', build), await run('cpu', build));
    });
  }

  it('argmax / argmin over 100003: the first NaN, the first of tied extremes', async () => {
    const picks = async (backend: string) => {
      await setBackend(backend);
      const x = leaf([3, 100003], 8, { 90000: NaN, 95000: NaN, 200002: 9, 170003: 9, 280006: -9, 300008: -9 });
      const [amax, amin] = [F.argmax(x, 1), F.argmin(x, 1)];
      const out = [Array.from(await amax.data()), Array.from(await amin.data())];
      for (const t of [x, amax, amin]) t.dispose();
      return out;
    };
    const gpu = await picks('gpu');
    expect(gpu).toEqual(await picks('cpu'));
    expect(gpu[0].slice(0, 2)).toEqual([90000, 70000]);
    expect(gpu[1][2]).toBe(80000);
  });

  it('a tensor beyond 2^24 elements is refused, not indexed wrongly', async () => {
    await setBackend('gpu');
    expect(() => tensor(new Float32Array((1 << 24) + 1))).toThrow(/2\^24/);
  });
});
