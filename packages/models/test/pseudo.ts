/** Deterministic pseudo-weights shared with tools/torchvision/export.py (see its docstring for the formula): the
 * same float32 values on both sides, so forward.json needs no weight files. */
import { noGrad, tensor, type nn, type Tensor } from '@cnn/core';

export function nameHash(name: string): number {
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

export function pseudoInput(shape: number[]): Tensor {
  return tensor(pseudo('input', shape.reduce((a, b) => a * b, 1), (u) => u), shape);
}

/** Overwrites every float parameter and buffer of `model` with the pseudo-weights (num_batches_tracked untouched). */
export function applyPseudo(model: nn.Module): void {
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
