/**
 * Anchor: PyTorch 1.13 on the CPU (Debian's python3-torch), through anchors/torch_bench.py, which times every
 * workload in its own process (warm-ups, then the median) with `--threads` intra-op threads (2 by default, as the
 * workers backend). Node-only. Where PyTorch is not installed the row says so and the bench goes on.
 */
import type { AnchorOptions, AnchorResult, BenchAdapter, Workload } from '../types.js';
import { runTorchScript } from './torch-script.js';

async function anchor(w: Workload, o: AnchorOptions): Promise<AnchorResult> {
  const r = await runTorchScript(['--workloads', w.name, '--runs', String(o.runs), '--warmup', String(o.warmup), '--threads', String(o.threads)]);
  if (!r.installed) return { status: 'skipped', reason: r.reason };
  const line = r.lines.find((l) => l.workload === w.name);
  if (!line || line.status !== 'ok') return { status: 'skipped', reason: String(line?.reason ?? 'no result from torch_bench.py') };
  const runsMs = line.runsMs as number[];
  return {
    status: 'ok',
    timing: { medianMs: line.medianMs as number, minMs: line.minMs as number, runsMs },
    note: `torch ${String(line.version)}, ${String(line.threads)} threads`,
  };
}

export const torchAnchor: BenchAdapter = {
  name: 'torch',
  defaultRuns: 5,
  defaultWarmup: 2,
  convStep: () => Promise.reject(new Error('torch is an anchor: it times workloads itself')),
  anchor,
};
