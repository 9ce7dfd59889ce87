/**
 * Runs anchors/torch_bench.py (the PyTorch anchor, and the exporter of the ONNX Runtime anchor's model files) with
 * Debian's Python (`/usr/bin/python3`, which has python3-torch; `CNN_BENCH_PYTHON` overrides) and parses its JSON
 * lines. Node-only. PyTorch is not installed everywhere (CI has none): then every call answers `not-installed`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.CNN_BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../anchors/torch_bench.py', import.meta.url));
/** Where exported ONNX files are kept between runs: the bench package's node_modules/.cache (never committed). */
export const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/cnn-bench/', import.meta.url));

export type ScriptLine = Record<string, unknown> & { status?: string; reason?: string; workload?: string };

export type ScriptResult = { installed: true; lines: ScriptLine[] } | { installed: false; reason: string };

let missing: string | null = null;

/** Runs the script with `args`; resolves with its JSON lines, or why PyTorch is not available. Rejects when the
 * script fails for another reason (its stderr in the message). */
export async function runTorchScript(args: string[]): Promise<ScriptResult> {
  if (missing) return { installed: false, reason: missing };
  if (!existsSync(PYTHON)) return { installed: false, reason: (missing = `not installed (no ${PYTHON})`) };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as ScriptLine);
  const notInstalled = lines.find((l) => l.status === 'not-installed');
  if (notInstalled) return { installed: false, reason: (missing = `not installed (${String(notInstalled.reason)})`) };
  if (code !== 0) throw new Error(`torch_bench.py exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { installed: true, lines };
}
