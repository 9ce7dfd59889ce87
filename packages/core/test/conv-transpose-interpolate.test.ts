/**
 * Transposed convolutions and interpolation: output shapes, PyTorch's validation rules, gradients against float64
 * references differentiated numerically, the layers' defaults and `outputSize`. (Values against PyTorch itself: the
 * conformance fixtures convTranspose2d / convTranspose1d / interpolate.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, manualSeed, nn, setBackend, tensor, tidy } from '@cnn/core';
import { counts, expectClose, numericGrad, rejects, vals } from './helpers.js';
import { range } from './ops-helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

const seq = (n: number, k: number): number[] => range(n, (i) => Math.sin(i * 1.7 + k) * 1.3);

interface CT {
  x: number[]; xs: number[]; w: number[]; ws: number[]; b: number[] | null;
  s: [number, number]; p: [number, number]; op: [number, number]; d: [number, number]; g: number;
}

/** float64 definition: every input cell scatters its kernel into the output (PyTorch's conv_transpose2d). */
function refConvTranspose2d(c: CT): { y: number[]; shape: number[] } {
  const [N, C, H, W] = c.xs;
  const [, opg, kH, kW] = c.ws;
  const O = opg * c.g;
  const cpg = C / c.g;
  const oH = (H - 1) * c.s[0] - 2 * c.p[0] + c.d[0] * (kH - 1) + c.op[0] + 1;
  const oW = (W - 1) * c.s[1] - 2 * c.p[1] + c.d[1] * (kW - 1) + c.op[1] + 1;
  const y = new Array<number>(N * O * oH * oW).fill(0);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < oH * oW; i++) y[(n * O + o) * oH * oW + i] = c.b ? c.b[o] : 0;
  for (let n = 0; n < N; n++) for (let ci = 0; ci < C; ci++) {
    const g = Math.floor(ci / cpg);
    for (let ih = 0; ih < H; ih++) for (let iw = 0; iw < W; iw++) {
      const xv = c.x[((n * C + ci) * H + ih) * W + iw];
      for (let o = 0; o < opg; o++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
        const oh = ih * c.s[0] - c.p[0] + kh * c.d[0];
        const ow = iw * c.s[1] - c.p[1] + kw * c.d[1];
        if (oh < 0 || oh >= oH || ow < 0 || ow >= oW) continue;
        y[((n * O + g * opg + o) * oH + oh) * oW + ow] += xv * c.w[((ci * opg + o) * kH + kh) * kW + kw];
      }
    }
  }
  return { y, shape: [N, O, oH, oW] };
}

function checkConvTranspose(c: CT): void {
  const gy = seq(refConvTranspose2d(c).y.length, 5);
  const loss = (cc: CT) => refConvTranspose2d(cc).y.reduce((a, v, i) => a + v * gy[i], 0);
  tidy(() => {
    const x = tensor(Float32Array.from(c.x), c.xs);
    const w = tensor(Float32Array.from(c.w), c.ws);
    const b = c.b ? tensor(Float32Array.from(c.b), [c.b.length]) : null;
    for (const t of [x, w, b]) if (t) t.requiresGrad = true;
    const y = F.convTranspose2d(x, w, b, { stride: c.s, padding: c.p, outputPadding: c.op, dilation: c.d, groups: c.g });
    const ref = refConvTranspose2d(c);
    expect(y.shape).toEqual(ref.shape);
    expectClose(vals(y), ref.y, 1e-4, 1e-5, 'output');
    y.mul(tensor(Float32Array.from(gy), y.shape)).sum().backward();
    expectClose(vals(x.grad!), numericGrad((v) => loss({ ...c, x: v }), c.x), 1e-4, 1e-4, 'd input');
    expectClose(vals(w.grad!), numericGrad((v) => loss({ ...c, w: v }), c.w), 1e-4, 1e-4, 'd weight');
    if (b && c.b) expectClose(vals(b.grad!), numericGrad((v) => loss({ ...c, b: v }), c.b), 1e-4, 1e-4, 'd bias');
  });
}

function ct(xs: number[], ws: number[], o: Partial<Omit<CT, 'x' | 'w' | 'xs' | 'ws'>> & { bias?: boolean } = {}): CT {
  const size = (s: number[]) => s.reduce((a, v) => a * v, 1);
  const O = ws[1] * (o.g ?? 1);
  return {
    x: seq(size(xs), 1), xs, w: seq(size(ws), 2), ws, b: o.bias === false ? null : seq(O, 3),
    s: o.s ?? [1, 1], p: o.p ?? [0, 0], op: o.op ?? [0, 0], d: o.d ?? [1, 1], g: o.g ?? 1,
  };
}

describe('F.convTranspose2d', () => {
  it('matches the scatter definition, with gradients, on decoder geometries', () => {
    checkConvTranspose(ct([2, 3, 4, 4], [3, 2, 2, 2], { s: [2, 2] })); // kernel 2 stride 2
    checkConvTranspose(ct([1, 2, 3, 5], [2, 3, 4, 4], { s: [2, 2], p: [1, 1] })); // kernel 4 stride 2 padding 1
    checkConvTranspose(ct([1, 2, 3, 3], [2, 2, 3, 3], { s: [2, 2], p: [1, 1], op: [1, 1], bias: false }));
  });

  it('handles groups, dilation, asymmetric attributes and outputPadding ≥ stride (< dilation)', () => {
    checkConvTranspose(ct([2, 4, 3, 4], [4, 3, 2, 3], { s: [1, 2], p: [1, 0], g: 2 }));
    checkConvTranspose(ct([1, 3, 3, 3], [3, 1, 3, 2], { g: 3, d: [2, 1], s: [1, 3], op: [1, 2] }));
    checkConvTranspose(ct([1, 2, 2, 3], [2, 1, 1, 1], { s: [3, 2], op: [2, 1] })); // gaps: bias only
  });

  it('sizes the output as PyTorch', () => {
    tidy(() => {
      const x = tensor(new Float32Array(8 * 4 * 16 * 16), [8, 4, 16, 16]);
      expect(F.convTranspose2d(x, tensor(new Float32Array(4 * 2 * 16), [4, 2, 4, 4]), null, { stride: 2, padding: 1 }).shape).toEqual([8, 2, 32, 32]);
      expect(F.convTranspose2d(x, tensor(new Float32Array(4 * 3 * 4), [4, 3, 2, 2]), null, { stride: 2 }).shape).toEqual([8, 3, 32, 32]);
      expect(F.convTranspose2d(x, tensor(new Float32Array(4 * 1 * 9), [4, 1, 3, 3]), null, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }).shape).toEqual([8, 2, 32, 32]);
    });
  });

  it('rejects what PyTorch rejects, naming the argument and the value', () => {
    const x = tensor(new Float32Array(2 * 4 * 3 * 3), [2, 4, 3, 3]);
    const w = tensor(new Float32Array(4 * 2 * 9), [4, 2, 3, 3]);
    rejects(() => F.convTranspose2d(x, w, null, { stride: 2, outputPadding: 2 }), 'convTranspose2d', 'outputPadding must be smaller than either stride or dilation', '[2, 2]');
    rejects(() => F.convTranspose2d(x, w, null, { outputPadding: [0, 1] }), 'outputPadding', 'stride [1, 1]');
    rejects(() => F.convTranspose2d(x, w, null, { padding: 'same' as never }), 'padding', "'same'");
    rejects(() => F.convTranspose2d(x, w, null, { padding: -1 }), 'padding must be ≥ 0', '-1');
    rejects(() => F.convTranspose2d(x, w, null, { stride: 0 }), 'stride must be ≥ 1');
    rejects(() => F.convTranspose2d(x, w, null, { groups: 3 }), 'groups 3 must divide the input channels 4');
    const w3 = tensor(new Float32Array(3 * 2 * 9), [3, 2, 3, 3]);
    const b4 = tensor(new Float32Array(4), [4]);
    const x1 = tensor(new Float32Array(8), [1, 2, 4]);
    const w1 = tensor(new Float32Array(6), [2, 1, 3]);
    rejects(() => F.convTranspose2d(x, w3), 'channel mismatch', '[3, 2, 3, 3]');
    rejects(() => F.convTranspose2d(x, w, b4), 'bias must have shape [2]', 'got [4]');
    rejects(() => F.convTranspose2d(x, w, null, { padding: 3 }), 'output size', 'too small');
    rejects(() => F.convTranspose2d(b4, w), 'input must be 4-D');
    rejects(() => F.convTranspose1d(x1, w1, null, { stride: 2, outputPadding: 2 }), 'convTranspose1d', 'outputPadding must be smaller', 'outputPadding 2');
    rejects(() => F.convTranspose1d(x1, w), 'convTranspose1d', 'weight must be 3-D');
    for (const t of [x, w, w3, b4, x1, w1]) t.dispose();
  });
});

describe('F.convTranspose1d', () => {
  it('is the 2-D op over a height-1 image, with gradients', () => {
    const c = ct([2, 2, 1, 5], [2, 3, 1, 4], { s: [1, 2], p: [0, 1], op: [0, 1] });
    const ref = refConvTranspose2d(c);
    tidy(() => {
      const x = tensor(Float32Array.from(c.x), [2, 2, 5]);
      const w = tensor(Float32Array.from(c.w), [2, 3, 4]);
      const b = tensor(Float32Array.from(c.b!), [3]);
      x.requiresGrad = true;
      const y = F.convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 });
      expect(y.shape).toEqual([2, 3, ref.shape[3]]);
      expectClose(vals(y), ref.y, 1e-4, 1e-5);
      y.sum().backward();
      expect(x.grad!.shape).toEqual([2, 2, 5]);
    });
  });
});

describe('nn.ConvTranspose2d / nn.ConvTranspose1d', () => {
  it("has PyTorch's defaults, weight layout and init bound", () => {
    manualSeed(1);
    const m = new nn.ConvTranspose2d({ inChannels: 4, outChannels: 6, kernelSize: 3, groups: 2 });
    expect(m.weight.shape).toEqual([4, 3, 3, 3]);
    expect(m.bias!.shape).toEqual([6]);
    expect(m.config).toMatchObject({ stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1], groups: 2, bias: true, paddingMode: 'zeros' });
    const bound = 1 / Math.sqrt(3 * 9); // fan-in = weight.shape[1]·kH·kW
    expect(Math.max(...vals(m.weight).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...vals(m.weight).map(Math.abs))).toBeGreaterThan(bound * 0.8);
    expect(m.typeName).toBe('ConvTranspose2d');
    m.dispose();
    const m1 = new nn.ConvTranspose1d({ inChannels: 2, outChannels: 4, kernelSize: 5, bias: false });
    expect(m1.weight.shape).toEqual([2, 4, 5]);
    expect(m1.bias).toBeNull();
    m1.dispose();
  });

  it('picks the outputPadding that reaches outputSize, as output_size', () => {
    tidy(() => {
      const m = new nn.ConvTranspose2d({ inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1 });
      const x = tensor(new Float32Array(2 * 2 * 5 * 5), [2, 2, 5, 5]);
      expect(m.forward(x).shape).toEqual([2, 3, 9, 9]);
      expect(m.forward(x, [10, 9]).shape).toEqual([2, 3, 10, 9]);
      expect(m.forward(x, [2, 3, 10, 10]).shape).toEqual([2, 3, 10, 10]);
      rejects(() => m.forward(x, [11, 10]), 'ConvTranspose2d', 'outputSize', '[9, 10]', '11');
      rejects(() => m.forward(x, [10]), 'outputSize must be 2 integers');
      const m1 = new nn.ConvTranspose1d({ inChannels: 2, outChannels: 1, kernelSize: 4, stride: 3 });
      const x1 = tensor(new Float32Array(2 * 4), [1, 2, 4]);
      expect(m1.forward(x1).shape).toEqual([1, 1, 13]);
      expect(m1.forward(x1, [15]).shape).toEqual([1, 1, 15]);
      expect(m1.forward(x1, 14).shape).toEqual([1, 1, 14]);
      m.dispose();
      m1.dispose();
    });
  });

  it('rejects bad configurations when built', () => {
    rejects(() => new nn.ConvTranspose2d({ inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2 }), 'ConvTranspose2d', 'groups 2 must divide inChannels 3');
    rejects(() => new nn.ConvTranspose2d({ inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, outputPadding: 2 }), 'outputPadding must be smaller than either stride or dilation');
    rejects(() => new nn.ConvTranspose2d({ inChannels: 2, outChannels: 4, kernelSize: 3, paddingMode: 'reflect' as never }), "paddingMode must be 'zeros'");
    rejects(() => new nn.ConvTranspose1d({ inChannels: 2, outChannels: 4, kernelSize: 0 }), 'ConvTranspose1d', 'kernelSize must be an integer ≥ 1');
  });
});

/** float64 bilinear / nearest of one [H, W] plane by PyTorch's formulas. */
function refInterp(x: number[], H: number, W: number, oH: number, oW: number, mode: 'nearest' | 'bilinear', align: boolean, s: [number, number] | null): number[] {
  const axis = (n: number, o: number, sf: number | null): [number, number, number][] => Array.from({ length: o }, (_, i): [number, number, number] => {
    if (mode === 'nearest') return [Math.min(Math.floor(i * (sf ? 1 / sf : n / o)), n - 1), 0, 0];
    const scale = align ? (o > 1 ? (n - 1) / (o - 1) : 0) : sf ? 1 / sf : n / o;
    const src = align ? scale * i : Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.trunc(src);
    return [i0, src - i0, i0 < n - 1 ? 1 : 0];
  });
  const rows = axis(H, oH, s?.[0] ?? null);
  const cols = axis(W, oW, s?.[1] ?? null);
  const out: number[] = [];
  for (const [r, lr, dr] of rows) for (const [c, lc, dc] of cols) {
    const at = (i: number, j: number) => x[i * W + j];
    out.push((1 - lr) * ((1 - lc) * at(r, c) + lc * at(r, c + dc)) + lr * ((1 - lc) * at(r + dr, c) + lc * at(r + dr, c + dc)));
  }
  return out;
}

describe('F.interpolate / nn.Upsample', () => {
  it('nearest ×2 repeats each pixel; size and scaleFactor give PyTorch sizes', () => {
    tidy(() => {
      const x = tensor([[[[1, 2], [3, 4]]]]);
      expect(vals(F.interpolate(x, { scaleFactor: 2 }))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
      const y = tensor(new Float32Array(2 * 3 * 7 * 5), [2, 3, 7, 5]);
      expect(F.interpolate(y, { scaleFactor: [1.5, 0.5] }).shape).toEqual([2, 3, 10, 2]);
      expect(F.interpolate(y, { size: [4, 9], mode: 'bilinear' }).shape).toEqual([2, 3, 4, 9]);
      expect(F.interpolate(y, { size: 3, mode: 'bilinear', alignCorners: true }).shape).toEqual([2, 3, 3, 3]);
    });
  });

  it('bilinear (alignCorners true and false) matches the float64 formulas, gradients vs numerical', () => {
    const H = 3;
    const W = 4;
    const x = seq(H * W, 4);
    for (const [align, size, s] of [[false, [7, 5], null], [true, [5, 9], null], [false, [4, 10], [1.5, 2.5]], [true, [6, 8], [2, 2]]] as const) {
      const [oH, oW] = size;
      const sf = s ? ([s[0], s[1]] as [number, number]) : null;
      const ref = refInterp(x, H, W, oH, oW, 'bilinear', align, sf);
      const gy = seq(oH * oW, 6);
      tidy(() => {
        const t = tensor(Float32Array.from(x), [1, 1, H, W]);
        t.requiresGrad = true;
        const y = F.interpolate(t, { mode: 'bilinear', alignCorners: align, ...(sf ? { scaleFactor: sf } : { size: [oH, oW] as [number, number] }) });
        expect(y.shape).toEqual([1, 1, oH, oW]);
        expectClose(vals(y), ref, 1e-5, 1e-6, `bilinear align ${align}`);
        y.mul(tensor(Float32Array.from(gy), y.shape)).sum().backward();
        const num = numericGrad((v) => refInterp(v, H, W, oH, oW, 'bilinear', align, sf).reduce((a, yv, i) => a + yv * gy[i], 0), x);
        expectClose(vals(t.grad!), num, 1e-4, 1e-4, 'd input');
      });
    }
  });

  it('nearest gradients add every output that read a pixel', () => {
    const x = seq(2 * 5 * 3, 7);
    const gy = seq(2 * 7 * 4, 8);
    const refAll = (v: number[]) => [0, 1].flatMap((c) => refInterp(v.slice(c * 15, c * 15 + 15), 5, 3, 7, 4, 'nearest', false, null));
    tidy(() => {
      const t = tensor(Float32Array.from(x), [1, 2, 5, 3]);
      t.requiresGrad = true;
      const y = F.interpolate(t, { size: [7, 4] });
      expectClose(vals(y), refAll(x));
      y.mul(tensor(Float32Array.from(gy), y.shape)).sum().backward();
      expectClose(vals(t.grad!), numericGrad((v) => refAll(v).reduce((a, yv, i) => a + yv * gy[i], 0), x), 1e-4, 1e-4);
    });
  });

  it('leaves no tensors behind', () => {
    const before = counts();
    tidy(() => {
      const t = tensor(new Float32Array(2 * 2 * 3 * 3).fill(1), [2, 2, 3, 3]);
      t.requiresGrad = true;
      F.interpolate(t, { scaleFactor: 2, mode: 'bilinear' }).sum().backward();
      const w = tensor(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
      w.requiresGrad = true;
      F.convTranspose2d(t, w, null, { stride: 2, padding: 1 }).sum().backward();
    });
    expect(counts()).toEqual(before);
  });

  it("rejects what PyTorch rejects, naming the argument and the value", () => {
    const x = tensor(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
    rejects(() => F.interpolate(x, { size: 8, scaleFactor: 2 }), 'interpolate', 'only one of size and scaleFactor', '8', '2');
    rejects(() => F.interpolate(x, {}), 'either size or scaleFactor');
    rejects(() => F.interpolate(x, { scaleFactor: 2, alignCorners: false }), "alignCorners can only be set with mode 'bilinear'", "'nearest'");
    rejects(() => F.interpolate(x, { size: 8, mode: 'bicubic' as never }), "mode must be one of 'nearest', 'bilinear'", 'bicubic');
    rejects(() => F.interpolate(x, { scaleFactor: 0 }), 'scaleFactor must be a finite number > 0', '0');
    rejects(() => F.interpolate(x, { scaleFactor: 0.1 }), 'sizes must be > 0', '0×0');
    rejects(() => F.interpolate(x, { size: [2.5, 3] }), 'size must be an integer ≥ 1', '2.5');
    rejects(() => F.interpolate(x, { size: [2, 3, 4] as never }), 'size must be');
    const x3 = tensor(new Float32Array(6), [1, 2, 3]);
    rejects(() => F.interpolate(x3, { size: 4, mode: 'bilinear' }), 'input must be 4-D');
    x3.dispose();
    rejects(() => new nn.Upsample({ scaleFactor: 2, mode: 'nearest', alignCorners: true }), 'Upsample', 'alignCorners');
    x.dispose();
  });

  it('nn.Upsample is F.interpolate with fixed options', () => {
    tidy(() => {
      const up = new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true });
      const x = tensor(Float32Array.from(seq(12, 1)), [1, 1, 3, 4]);
      expect(vals(up.forward(x))).toEqual(vals(F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true })));
      expect(up.typeName).toBe('Upsample');
    });
  });
});
