/** where(condition, x, y): x where condition ≠ 0, else y (torch.where), broadcasting all three. */
import { fail } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { scalar } from './create.js';
import { binaryRaw, sumTo } from './elementwise.js';
import { cast } from './shape.js';
import { assertFloat, assertTensor, record } from './util.js';

/**
 * Picks with the `mask` kernel (a where b ≠ 0, else 0) on each side and adds the two picks, so the branch not taken
 * never meets the result: `where(c, x, inf)` is x where c holds, not NaN (as `c·x + (1 − c)·y` would give). The
 * condition may be int32 or float32 (any non-zero is true); gradients flow to x and y through the same masks.
 */
export function where(condition: Tensor, x: Tensor | number, y: Tensor | number): Tensor {
  const op = 'where';
  assertTensor(op, 'condition', condition);
  if (typeof x === 'number' && typeof y === 'number') fail(op, 'x or y must be a Tensor');
  const temps: Tensor[] = [];
  const tx = typeof x === 'number' ? (temps[temps.length] = scalar(x)) : x;
  const ty = typeof y === 'number' ? (temps[temps.length] = scalar(y)) : y;
  assertFloat(op, 'x', tx);
  assertFloat(op, 'y', ty);
  const c = condition.dtype === 'float32' ? condition : cast(condition, 'float32');
  const zero = scalar(0);
  const notC = binaryRaw('eq', c, zero);
  const pickX = binaryRaw('mask', tx, c);
  const pickY = binaryRaw('mask', ty, notC);
  const out = binaryRaw('add', pickX, pickY);
  [zero, pickX, pickY].forEach((t) => t.dispose());
  const y0 = record(out, op, [tx, ty], (dy) => {
    const gx = tx.requiresGrad ? binaryRaw('mask', dy, c) : null;
    const gy = ty.requiresGrad ? binaryRaw('mask', dy, notC) : null;
    const rx = gx && sumTo(gx, tx.shape);
    const ry = gy && sumTo(gy, ty.shape);
    if (gx && gx !== rx) gx.dispose();
    if (gy && gy !== ry) gy.dispose();
    return [rx, ry];
  });
  // The masks live as long as the backward may need them; a scalar operand too.
  const owned = [notC, ...temps, ...(c !== condition ? [c] : [])];
  if (y0.gradFn) return y0.own(...owned);
  owned.forEach((t) => t.dispose());
  return y0;
}
