/**
 * Anchor: ONNX Runtime (onnxruntime-node 1.30, its CPU execution provider, `intraOpNumThreads` = `--threads`) on the
 * inference workloads, with ONNX files of the same architectures exported by anchors/torch_bench.py (torch.onnx.export,
 * opset 13) into node_modules/.cache/cnn-bench/ the first time (that needs PyTorch; later runs reuse the files).
 * onnxruntime-node is a devDependency whose install script is not run (pnpm-workspace.yaml): the CPU binary ships
 * inside the package. Node-only. Workloads it cannot run (training, single convs) are reported, not failed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from '../measure.js';
import { randomArray } from '../data.js';
import type { AnchorOptions, AnchorResult, BenchAdapter, Workload } from '../types.js';
import { CACHE_DIR, runTorchScript } from './torch-script.js';

/** The ONNX file of each workload it runs (names as torch_bench.py's ONNX_MODELS). */
const FILES: Record<string, string> = { 'resnet18-infer': 'resnet18.onnx', 'mobilenet-infer': 'mobilenet-v1.onnx' };

async function modelFile(workload: string): Promise<string | { reason: string }> {
  const path = join(CACHE_DIR, FILES[workload]);
  if (existsSync(path)) return path;
  const r = await runTorchScript(['--export-onnx', CACHE_DIR, '--workloads', workload]);
  if (!r.installed) return { reason: `no ONNX file ${path}, and exporting it needs PyTorch: ${r.reason}` };
  return existsSync(path) ? path : { reason: `torch_bench.py did not write ${path}` };
}

async function anchor(w: Workload, o: AnchorOptions): Promise<AnchorResult> {
  if (!FILES[w.name]) return { status: 'skipped', reason: `inference models only (${Object.keys(FILES).join(', ')})` };
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (err) {
    return { status: 'skipped', reason: `not installed (onnxruntime-node: ${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
  const file = await modelFile(w.name);
  if (typeof file !== 'string') return { status: 'skipped', reason: file.reason };
  const session = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'], intraOpNumThreads: o.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  try {
    const input = new ort.Tensor('float32', randomArray(3 * 224 * 224, 1), [1, 3, 224, 224]);
    const feeds = { [session.inputNames[0]]: input };
    const timing = await measure({ run: async () => void (await session.run(feeds)), dispose() {} }, o.warmup, o.runs);
    return { status: 'ok', timing, note: `onnxruntime-node ${ort.env.versions.node ?? '?'}, ${o.threads} intra-op threads` };
  } finally {
    await session.release();
  }
}

export const onnxruntimeAnchor: BenchAdapter = {
  name: 'onnxruntime',
  defaultRuns: 7,
  defaultWarmup: 2,
  convStep: () => Promise.reject(new Error('onnxruntime is an anchor: it times workloads itself')),
  anchor,
};
