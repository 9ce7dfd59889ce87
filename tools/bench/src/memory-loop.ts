/**
 * pnpm -s bench --memory-loop [--backend cpu,workers,gpu] [--steps N] [--modes tidy,plain] [--json]
 *
 * Not a timing: memory over a long PyTorch-style training loop (issue 11). A small conv net (Conv2d 1→8 3×3 pad 1,
 * ReLU, MaxPool2d 2, Flatten, Linear 128→10; batch 16 × 1×8×8, SGD momentum 0.9) runs N steps (default 10,000) of
 *
 *   opt.zeroGrad(); const loss = F.crossEntropy(model.forward(x), y); loss.backward(); opt.step(); await loss.item();
 *
 * with a fresh batch (x, y made by `tensor()`) every step, once without `tidy` and without any `dispose` ('plain':
 * only the engine's safety net and graph release free memory) and once inside `tidy` ('tidy': the batch and the loss
 * disposed after the read). After every step it samples `memory()`: the peaks of live tensors and of backend bytes,
 * and the same at the end. The process runs without --expose-gc: collections are V8's own and the engine's (and one
 * `collectGarbage()` before each run, so that what an earlier run left unreachable is not counted).
 */
import { collectGarbage, F, memory, nn, numCollectedTensors, optim, setBackend, tensor, tidy, manualSeed, type Tensor } from '@cnn/core';
import { ADAPTERS } from './backends/index.js';

interface LoopResult {
  backend: string;
  mode: 'plain' | 'tidy';
  steps: number;
  /** Before the model is built (what earlier runs left). */
  startTensors: number;
  startBytes: number;
  peakTensors: number;
  peakBytes: number;
  endTensors: number;
  endBytes: number;
  collected: number;
  ms: number;
  lastLoss: number;
}

function smallNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 8 * 4 * 4, outFeatures: 10 }),
  );
}

const BATCH = 16;

/** Eight fixed batches of random-ish images with labels depending on them (so the loss can go down). */
function batches(): [Float32Array, Int32Array][] {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: 8 }, () => {
    const x = Float32Array.from({ length: BATCH * 64 }, rnd);
    const y = Int32Array.from({ length: BATCH }, (_, i) => (x[i * 64] > 0 ? 1 : 0) + (x[i * 64 + 1] > 0 ? 2 : 0));
    return [x, y];
  });
}

async function runLoop(backend: string, mode: 'plain' | 'tidy', steps: number): Promise<LoopResult> {
  await collectGarbage(); // what earlier runs left unreachable is not counted in this one's peaks
  const start = memory();
  manualSeed(1);
  const model = smallNet();
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const data = batches();
  const collected0 = numCollectedTensors();
  let peakTensors = 0;
  let peakBytes = 0;
  let lastLoss = NaN;
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    const [xs, ys] = data[step % data.length];
    if (mode === 'plain') {
      const x = tensor(xs, [BATCH, 1, 8, 8]);
      const y = tensor(ys);
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      lastLoss = await loss.item();
    } else {
      const loss: Tensor = tidy(() => {
        const x = tensor(xs, [BATCH, 1, 8, 8]);
        const y = tensor(ys);
        opt.zeroGrad();
        const l = F.crossEntropy(model.forward(x), y);
        l.backward();
        opt.step();
        return l;
      });
      lastLoss = await loss.item();
      loss.dispose();
    }
    const m = memory();
    peakTensors = Math.max(peakTensors, m.numTensors);
    peakBytes = Math.max(peakBytes, m.numBytes);
  }
  const ms = performance.now() - t0;
  const end = memory();
  const result: LoopResult = {
    backend, mode, steps, startTensors: start.numTensors, startBytes: start.numBytes, peakTensors, peakBytes, endTensors: end.numTensors, endBytes: end.numBytes,
    collected: numCollectedTensors() - collected0, ms, lastLoss,
  };
  model.zeroGrad();
  opt.dispose();
  model.dispose();
  return result;
}

function parse(argv: string[]): { backends: string[]; steps: number; modes: ('plain' | 'tidy')[]; json: boolean } {
  const out = { backends: [] as string[], steps: 10_000, modes: ['tidy', 'plain'] as ('plain' | 'tidy')[], json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--backend') out.backends.push(...(argv[++i] ?? '').split(','));
    else if (a === '--steps') out.steps = Math.max(1, Number(argv[++i]));
    else if (a === '--modes') out.modes = (argv[++i] ?? '').split(',') as ('plain' | 'tidy')[];
    else if (a === '--json') out.json = true;
    else if (a !== '--memory-loop' && a !== '--') throw new Error(`memory-loop: unknown argument '${a}'`);
  }
  if (!out.backends.length) out.backends.push('cpu');
  if (!Number.isInteger(out.steps)) throw new Error('memory-loop: --steps must be an integer');
  for (const m of out.modes) if (m !== 'plain' && m !== 'tidy') throw new Error(`memory-loop: unknown mode '${m}' (plain, tidy)`);
  return out;
}

const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

export async function runMemoryLoop(argv: string[]): Promise<void> {
  const args = parse(argv);
  for (const name of args.backends) {
    const adapter = ADAPTERS[name];
    if (!adapter?.cnnBackendName) throw new Error(`memory-loop: '${name}' is not a cnn backend`);
    await adapter.load?.();
    await setBackend(adapter.cnnBackendName);
    for (const mode of args.modes) {
      const r = await runLoop(name, mode, args.steps);
      if (args.json) console.log(JSON.stringify({ workload: 'memory-loop', ...r, ms: Math.round(r.ms) }));
      else {
        console.log(`${name.padEnd(8)} ${mode.padEnd(5)} ${r.steps} steps in ${(r.ms / 1000).toFixed(1)} s: start ${r.startTensors} tensors, ${kib(r.startBytes)}; peak ${r.peakTensors} tensors, ` +
          `${kib(r.peakBytes)}; end ${r.endTensors} tensors, ${kib(r.endBytes)}; ${r.collected} freed by the safety net; loss ${r.lastLoss.toFixed(4)}`);
      }
    }
  }
}
