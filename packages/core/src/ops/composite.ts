/** Ending a composite op (one built from other ops): who keeps its intermediates alive. */
import type { Tensor } from '../tensor.js';

/**
 * Returns `out`, owning `temps` when its autograd graph needs them (they are freed with it); when no gradient is
 * recorded nothing refers to them, so they are freed at once — inference then holds one activation-sized
 * intermediate at a time, not every one the op made. `out` may itself be among `temps`.
 */
export function finishComposite(out: Tensor, temps: readonly Tensor[]): Tensor {
  if (out.requiresGrad) return out.own(...temps);
  for (const t of temps) if (t !== out) t.dispose();
  return out;
}
