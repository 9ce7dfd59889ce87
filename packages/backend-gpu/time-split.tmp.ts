import '@cnn/backend-gpu';
import { F, randn, setBackend } from '@cnn/core';
await setBackend('gpu');
const x = randn([32, 32, 32, 32]); const w = randn([64, 32, 3, 3]);
async function t(label: string, fx: boolean, fw: boolean) {
  const ts: number[] = [];
  for (let r = 0; r < 4; r++) {
    x.requiresGrad = fx; w.requiresGrad = fw; x.grad = null as never; w.grad = null as never;
    const y = F.conv2d(x, w, null, { padding: 1 });
    await y.data();
    const t0 = performance.now();
    if (fx || fw) { y.backward(randn(y.shape as number[])); if (fx) await x.grad!.data(); if (fw) await w.grad!.data(); }
    ts.push(performance.now() - t0);
  }
  console.log(label, ts.map((v) => v.toFixed(0)).join(' '));
}
await t('dx', true, false); await t('dw', false, true);
const a = randn([512, 512]); const b = randn([512, 512]);
const ts: number[] = [];
for (let r = 0; r < 4; r++) { const t0 = performance.now(); await a.matmul(b).data(); ts.push(performance.now() - t0); }
console.log('mm512', ts.map((v) => v.toFixed(0)).join(' '));
process.exit(0);
