/**
 * Reverse-mode autograd over the dynamic tape that ops record (`Tensor.gradFn`), as PyTorch does: gradients of
 * leaves accumulate into `.grad`; intermediate gradients are freed as soon as they have been propagated.
 * It imports no ops (ops import the modules autograd needs, so that would close a cycle): the few tensor operations
 * it needs arrive as `GradientOps`, from `Tensor.prototype.backward` in ops/install-methods.ts.
 */
import { CnnError, shapeStr } from './errors.js';
import { noGrad } from './engine.js';
import type { Tensor } from './tensor.js';

/** The operations backward needs: seeding the root's gradient, copying one, and summing two. */
export interface GradientOps {
  add(a: Tensor, b: Tensor): Tensor;
  onesLike(t: Tensor): Tensor;
  clone(t: Tensor): Tensor;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep networks would overflow the call stack with recursion.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order.reverse();
}

export function backward(root: Tensor, grad: Tensor | undefined, ops: GradientOps): void {
  if (!root.requiresGrad) {
    throw new CnnError('backward: tensor does not require grad (no input of the computation has requiresGrad = true)');
  }
  if (!grad && root.size !== 1) {
    throw new CnnError(`backward: an implicit gradient needs a one-element tensor, got shape ${shapeStr(root.shape)}; pass a gradient of the same shape`);
  }
  if (grad && grad.shape.join() !== root.shape.join()) {
    throw new CnnError(`backward: gradient shape ${shapeStr(grad.shape)} does not match tensor shape ${shapeStr(root.shape)}`);
  }
  noGrad(() => {
    const order = topoOrder(root);
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, grad ? ops.clone(grad) : ops.onesLike(root));
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (!t.gradFn) {
        // A leaf: accumulate into .grad, which the leaf owns.
        if (t.grad) {
          const sum = ops.add(t.grad, g);
          g.dispose();
          t.grad = sum;
        } else {
          t.grad = g;
        }
        continue;
      }
      // A backward may pass its upstream gradient through unchanged, or return one tensor for two inputs (x * x):
      // every gradient we store must be a tensor of its own.
      const seen = new Set<Tensor>();
      const inputGrads = t.gradFn.backward(g).map((ig) => {
        if (!ig) return null;
        if (seen.has(ig)) return ops.clone(ig);
        seen.add(ig);
        return ig;
      });
      if (!seen.has(g)) g.dispose();
      t.gradFn.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (!ig) return;
        if (!input.requiresGrad) {
          ig.dispose();
          return;
        }
        if (ig.shape.join() !== input.shape.join()) {
          throw new CnnError(`backward: ${t.gradFn!.name} produced a gradient of shape ${shapeStr(ig.shape)} for an input of shape ${shapeStr(input.shape)}`);
        }
        const prev = grads.get(input);
        if (prev) {
          grads.set(input, ops.add(prev, ig));
          prev.dispose();
          ig.dispose();
        } else {
          grads.set(input, ig);
        }
      });
    }
  });
}
