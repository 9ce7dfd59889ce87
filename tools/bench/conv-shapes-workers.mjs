// Times F.conv2d on a backend per ResNet-18 / MobileNet-v1 conv shape (batch 1): median of N runs after warm-up.
// node --import tsx --conditions=source tools/bench/conv-shapes-workers.mjs [backend] [runs] [filter]
import * as core from '@cnn/core';
import '@cnn/backend-workers';
const { setBackend, randn, F, noGrad, manualSeed } = core;
const backend = process.argv[2] ?? 'workers';
const runs = Number(process.argv[3] ?? 15);
const filter = process.argv[4] ?? '';
await setBackend(backend);
manualSeed(1);
// [name, C, O, H, k, stride, pad]
const shapes = [
  ['r18 512-512 3x3 @7', 512, 512, 7, 3, 1, 1],
  ['r18 256-256 3x3 @14', 256, 256, 14, 3, 1, 1],
  ['r18 128-128 3x3 @28', 128, 128, 28, 3, 1, 1],
  ['r18 64-64 3x3 @56', 64, 64, 56, 3, 1, 1],
  ['r18 3-64 7x7 s2 @224', 3, 64, 224, 7, 2, 3],
  ['r18 256-512 3x3 s2 @14', 256, 512, 14, 3, 2, 1],
  ['r18 64-128 3x3 s2 @56', 64, 128, 56, 3, 2, 1],
  ['r18 128-256 1x1 s2 @28', 128, 256, 28, 1, 2, 0],
  ['mb 512-512 1x1 @14', 512, 512, 14, 1, 1, 0],
  ['mb 32-64 1x1 @112', 32, 64, 112, 1, 1, 0],
  ['mb 128-128 1x1 @56', 128, 128, 56, 1, 1, 0],
  ['mb 1024-1024 1x1 @7', 1024, 1024, 7, 1, 1, 0],
  ['mb 3-32 3x3 s2 @224', 3, 32, 224, 3, 2, 1],
];
const rows = [];
for (const [name, C, O, H, k, s, p] of shapes) {
  if (filter && !name.includes(filter)) continue;
  const x = randn([1, C, H, H]).keep();
  const w = randn([O, C, k, k]).keep();
  const b = randn([O]).keep();
  const once = async () => {
    const y = noGrad(() => F.conv2d(x, w, b, { stride: s, padding: p }));
    await y.data();
    y.dispose();
  };
  for (let i = 0; i < 3; i++) await once();
  const ts = [];
  const cs = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await once();
    ts.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1000);
  }
  ts.sort((a, c) => a - c);
  cs.sort((a, c) => a - c);
  const mid = Math.floor(runs / 2);
  rows.push([name, ts[mid]]);
  // wall: median ms; cpu: median CPU ms of the whole process (all threads), robust to other load on the machine.
  console.log(name.padEnd(26), ts[mid].toFixed(2).padStart(8), 'ms   min', ts[0].toFixed(2).padStart(7), '  cpu', cs[mid].toFixed(2).padStart(7));
  x.dispose(); w.dispose(); b.dispose();
}
process.exit(0);
