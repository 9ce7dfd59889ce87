/** The deterministic pseudo-weights of tools/torchvision/export.py (formula in its docstring; the same code as
 * packages/models/test/pseudo.ts, kept here so this package's tests stand alone): every value is a function of the
 * state-dict *name* and the element index, computed in float64 and rounded to float32 exactly as numpy does, so a
 * torchvision model and a cnn model with the same names hold the same weights without a weight file. */
import { noGrad, tensor, type nn } from '@cnn/core';

function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 10007;
  return h;
}

/** u_i for a tensor named `name` with n elements, mapped through `f` and rounded to float32. */
function pseudo(name: string, n: number, f: (u: number) => number): Float32Array {
  const h = nameHash(name);
  // Every value depends on a_i alone (10007 possibilities): tabulate f, then step a_i incrementally.
  const table = new Float32Array(10007);
  for (let a = 0; a < 10007; a++) table[a] = f(((a * a * 31 + a * 17 + h) % 10007) / 5003 - 1);
  const out = new Float32Array(n);
  let a = (h * 104729) % 10007;
  for (let i = 0; i < n; i++) {
    out[i] = table[a]; // a = (i * 7919 + h * 104729) % 10007
    a += 7919;
    if (a >= 10007) a -= 10007;
  }
  return out;
}

/** Overwrites every float parameter and buffer of `model` with the pseudo-weights of its name (num_batches_tracked untouched). */
export function applyPseudoWeights(model: nn.Module): void {
  const sd = model.stateDict();
  noGrad(() => {
    for (const [name, t] of Object.entries(sd)) {
      if (name.endsWith('num_batches_tracked')) continue;
      const prefix = name.slice(0, name.lastIndexOf('.'));
      const isBn = `${prefix}.running_mean` in sd;
      const leaf = name.slice(name.lastIndexOf('.') + 1);
      const shape = t.shape;
      let f: (u: number) => number;
      if (leaf === 'running_var') f = (u) => 1 + 0.5 * u;
      else if (leaf === 'running_mean') f = (u) => 0.2 * u;
      else if (shape.length >= 2) {
        const scale = Math.sqrt(6 / shape.slice(1).reduce((a, b) => a * b, 1));
        f = (u) => u * scale;
      } else if (isBn && leaf === 'weight') f = (u) => 1 + 0.25 * u;
      else f = (u) => 0.1 * u;
      const v = tensor(pseudo(name, t.size, f), shape);
      t.assign(v);
      v.dispose();
    }
  });
}
