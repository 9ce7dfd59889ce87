import { loadSimdKernels } from './src/wasm/loader.ts';
const s = loadSimdKernels();
s.reset();
const C = 32, H = 32, W = 32, O = 64, P = 1024;
const pX = s.alloc(C * H * W), pDy = s.alloc(O * P), pDw = s.alloc(64 * 288), pS = s.alloc((64 + 8) * P);
const mem = s.commit();
for (let i = 0; i < mem.length; i++) mem[i] = Math.random();
function time(name: string, f: () => void, flops: number) {
  const ts = [];
  for (let r = 0; r < 15; r++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  console.log(name, ts[0].toFixed(3), 'ms min', ts[7].toFixed(3), 'median', (flops / ts[0] / 1e6).toFixed(1), 'GFLOP/s');
}
time('dw 1 image all C', () => s.k.convWeightGrad(pX, H, W, 0, C, 3, 3, 1, 1, 1, 1, 1, 1, 32, 32, pDy, O, pDw, 288, pS), 2 * O * 288 * P);
const pA = s.alloc(64 * 1024), pB = s.alloc(1024 * 288), pC = s.alloc(64 * 288), pG = s.allocBytes(s.k.gemmScratchBytes(64, 288, 1024));
s.commit();
time('gemm 64x288x1024', () => s.k.gemm(64, 288, 1024, pA, 1024, 1, pB, 288, 1, pC, 288, 0, pG), 2 * 64 * 288 * 1024);
