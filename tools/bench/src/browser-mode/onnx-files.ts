/**
 * The ONNX files the bench page's `ort-web` engine loads: the same files the Node `onnxruntime` anchor uses, exported
 * by anchors/torch_bench.py (torch.onnx.export) into node_modules/.cache/cnn-bench/ the first time. `pnpm bench
 * --browser` makes sure they exist before it opens the page (exporting them needs PyTorch) and serves that folder at
 * `onnx/`; a file that is still missing is a `skipped` row on the page, not a failure. Node-only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ONNX_FILES, type BrowserWorkload } from '../browser-results.js';
import { CACHE_DIR, PYTHON, runTorchScript } from '../backends/torch-script.js';

export { CACHE_DIR as ONNX_DIR };

/** Exports the missing ONNX files of `workloads` when PyTorch is there; returns one line per file that is still
 * missing afterwards (why), for stderr. */
export async function ensureOnnxFiles(workloads: readonly BrowserWorkload[]): Promise<string[]> {
  const missing = workloads.filter((w) => ONNX_FILES[w] && !existsSync(join(CACHE_DIR, ONNX_FILES[w])));
  if (!missing.length) return [];
  console.error(`bench --browser: exporting ${missing.map((w) => ONNX_FILES[w]).join(', ')} with PyTorch (torch.onnx.export)…`);
  const r = await runTorchScript(['--export-onnx', CACHE_DIR, '--workloads', missing.join(',')]);
  const why = r.installed ? 'torch_bench.py did not write it' : `the ONNX export needs PyTorch: ${PYTHON} -c 'import torch' (${r.reason})`;
  return missing.filter((w) => !existsSync(join(CACHE_DIR, ONNX_FILES[w] as string))).map((w) => `${ONNX_FILES[w]}: ${why}`);
}
