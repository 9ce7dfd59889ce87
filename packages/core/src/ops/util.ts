/** Plumbing shared by every op: operand checks, making output tensors, recording autograd nodes. */
import type { Backend, DataId, DType } from '../backend/contract.js';
import { getBackend } from '../backend/registry.js';
import { fail, fmt, shapeStr } from '../errors.js';
import { isGradEnabled, setCurrentOp } from '../engine.js';
import { Tensor, type GradFn } from '../tensor.js';

/** The backend all operands live on (they must agree), or the active one. Every op calls it first, so it is also where
 * the engine learns which op the next tensors belong to (the leak report's `op`): one assignment, no allocation. */
export function backendOf(op: string, ...tensors: (Tensor | null | undefined)[]): Backend {
  setCurrentOp(op);
  let b: Backend | null = null;
  for (const t of tensors) {
    if (!t) continue;
    if (t.isDisposed) fail(op, `an input tensor (shape ${shapeStr(t.shape)}) has been disposed`);
    if (b && t.backend !== b) fail(op, `inputs live on different backends ('${b.name}' and '${t.backend.name}')`);
    b = t.backend;
  }
  return b ?? getBackend();
}

export function makeTensor(backend: Backend, dataId: DataId, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(dataId, shape, dtype, backend);
}

/** Attaches a gradient function to `out` when recording is on and some input requires grad. */
export function record(out: Tensor, name: string, inputs: readonly (Tensor | null | undefined)[], backward: (dy: Tensor) => (Tensor | null)[]): Tensor {
  if (!isGradEnabled()) return out;
  const present = inputs.filter((t): t is Tensor => !!t);
  if (!present.some((t) => t.requiresGrad)) return out;
  // Inputs absent (optional bias) still occupy their slot so `backward` can return grads positionally.
  const slots = inputs.map((t) => t ?? null);
  const fn: GradFn = {
    name,
    inputs: present,
    backward: (dy) => {
      const gs = backward(dy);
      return slots.flatMap((t, i) => (t ? [gs[i] ?? null] : (gs[i]?.dispose(), [])));
    },
  };
  out.gradFn = fn;
  out.requiresGrad = true;
  return out;
}

export function assertTensor(op: string, name: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) fail(op, `${name} must be a Tensor, got ${v === null ? 'null' : typeof v}`);
}

export function assertFloat(op: string, name: string, t: Tensor): void {
  assertTensor(op, name, t);
  if (t.dtype !== 'float32') fail(op, `${name} must be float32, got ${t.dtype}`);
}

export function assertRank(op: string, name: string, t: Tensor, ranks: readonly number[], layout?: string): void {
  if (!ranks.includes(t.rank)) {
    fail(op, `${name} must be ${ranks.map((r) => `${r}-D`).join(' or ')}${layout ? ` ${layout}` : ''}, got shape ${shapeStr(t.shape)}`);
  }
}

/** Normalises a possibly negative dimension index. */
export function normDim(op: string, dim: number, rank: number): number {
  if (!Number.isInteger(dim) || dim < -Math.max(rank, 1) || dim >= Math.max(rank, 1)) {
    fail(op, `dim must be an integer in [${-Math.max(rank, 1)}, ${Math.max(rank, 1) - 1}], got ${fmt(dim)}`);
  }
  return dim < 0 ? dim + rank : dim;
}

export function normDims(op: string, dims: number | readonly number[] | undefined, rank: number): number[] {
  if (dims === undefined) return [...Array(rank).keys()];
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const out = [...new Set(list.map((d) => normDim(op, d, rank)))].sort((a, b) => a - b);
  return out;
}
