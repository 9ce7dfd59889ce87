/**
 * Reverse-mode autograd over the dynamic tape that ops record (`Tensor.gradFn`), as PyTorch does: gradients of
 * leaves accumulate into `.grad`; intermediate gradients are freed as soon as they have been propagated.
 * It imports no ops (ops import the modules autograd needs, so that would close a cycle): the few tensor operations
 * it needs arrive as `GradientOps`, from `Tensor.prototype.backward` in ops/install-methods.ts.
 */
import { CnnError, shapeStr } from './errors.js';
import { noGrad, setCurrentOp, TENSOR_BRAND } from './engine.js';
import type { BackwardOptions, GradFn, Tensor } from './tensor.js';

/** The operations backward needs: seeding the root's gradient, copying one, and summing two. */
export interface GradientOps {
  add(a: Tensor, b: Tensor): Tensor;
  onesLike(t: Tensor): Tensor;
  clone(t: Tensor): Tensor;
}

/** What a node becomes once backward has used it (see `GradFn.released`): no inputs, nothing saved. */
function releasedNode(name: string): GradFn {
  return Object.freeze({
    name,
    inputs: [],
    released: true,
    backward(): never {
      throw freedError(name);
    },
  });
}

function freedError(name: string): CnnError {
  return new CnnError(
    `backward: trying to backward through the graph a second time: the saved tensors of '${name}' were freed by the ` +
      'first backward(). Pass { retainGraph: true } to the first backward() to keep the graph, or compute the output again.',
  );
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
    if (t.gradFn?.released) throw freedError(t.gradFn.name); // before any gradient is accumulated
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

/** `t.backward(grad?, options?)` and `t.backward(options)`: the gradient and the options. */
export function backwardArgs(a: Tensor | BackwardOptions | null | undefined, b: BackwardOptions | undefined): [Tensor | undefined, BackwardOptions] {
  if (a && (a as { [TENSOR_BRAND]?: boolean })[TENSOR_BRAND] === true) return [a as Tensor, b ?? {}];
  if (a === null || a === undefined) return [undefined, b ?? {}];
  if (b !== undefined) throw new CnnError('backward: the first argument must be the gradient (a Tensor) when options are passed second');
  return [undefined, a as BackwardOptions];
}

export function backward(root: Tensor, grad: Tensor | undefined, ops: GradientOps, options: BackwardOptions = {}): void {
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
    const retain = options.retainGraph === true;
    const freed: Tensor[] = []; // owned by released nodes: disposed once every node has run
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
      const node = t.gradFn;
      setCurrentOp(`${node.name} backward`); // names the gradients in the leak report (liveTensors)
      const inputGrads = node.backward(g).map((ig) => {
        if (!ig) return null;
        if (seen.has(ig)) return ops.clone(ig);
        seen.add(ig);
        return ig;
      });
      if (!seen.has(g)) g.dispose();
      node.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (!ig) return;
        if (!input.requiresGrad) {
          ig.dispose();
          return;
        }
        if (ig.shape.join() !== input.shape.join()) {
          throw new CnnError(`backward: ${node.name} produced a gradient of shape ${shapeStr(ig.shape)} for an input of shape ${shapeStr(input.shape)}`);
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
      // As PyTorch frees a node's saved tensors once it has run: the closure (and what it saved) goes with the node.
      if (!retain) freed.push(...t._releaseGraph(releasedNode(node.name)));
    }
    // Only now: an owned intermediate may still be an input or saved tensor of a node that ran after its owner.
    for (const t of freed) t.dispose();
  });
}
