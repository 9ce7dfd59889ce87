/** Reverse-mode autograd: accumulation, clearing, noGrad, shared inputs, broadcasting, detach, deep graphs. */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { CnnError, F, noGrad, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import { counts, expectClose, vals } from './helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

function leaf(values: number | number[] | number[][], shape?: number[]): Tensor {
  const t = tensor(values, shape);
  t.requiresGrad = true;
  return t;
}

describe('gradient accumulation', () => {
  it('two backward calls of sum(x·3) accumulate: grad = 3 + 3 = 6', () => {
    tidy(() => {
      const x = leaf([1, 2, 3]);
      x.mul(3).sum().backward();
      expect(vals(x.grad!)).toEqual([3, 3, 3]);
      x.mul(3).sum().backward();
      expect(vals(x.grad!)).toEqual([6, 6, 6]);
    });
  });

  it('x.grad = null clears (and frees) the gradient; the next backward starts from zero', () => {
    tidy(() => {
      const x = leaf([1, 2]);
      x.square().sum().backward();
      const g = x.grad!;
      expect(vals(g)).toEqual([2, 4]);
      x.grad = null;
      expect(x.grad).toBeNull();
      expect(g.isDisposed).toBe(true);
      x.mul(5).sum().backward();
      expect(vals(x.grad!)).toEqual([5, 5]);
    });
  });

  it('backward with an explicit gradient [1, 2, 3] on a non-scalar output', () => {
    tidy(() => {
      const x = leaf([1, 2, 3]);
      x.square().backward(tensor([1, 2, 3]));
      expect(vals(x.grad!)).toEqual([2, 8, 18]);
    });
  });
});

describe('noGrad and detach', () => {
  it('noGrad records nothing: outputs do not require grad and have no gradFn', () => {
    tidy(() => {
      const x = leaf([1, 2]);
      const y = noGrad(() => x.mul(2).add(1).sum());
      expect(y.requiresGrad).toBe(false);
      expect(y.gradFn).toBeNull();
      expect(() => y.backward()).toThrow(/backward: tensor does not require grad/);
      // recording is back on after noGrad returns
      const z = x.mul(2).sum();
      expect(z.requiresGrad).toBe(true);
    });
  });

  it('noGrad restores recording after its function throws', () => {
    tidy(() => {
      const x = leaf([1]);
      expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
      expect(x.mul(2).requiresGrad).toBe(true);
    });
  });

  it('detach stops the gradient: d/dx (x·detach(x)) = detach(x) = x, not 2x', () => {
    tidy(() => {
      const x = leaf([1, 2, 3]);
      const d = x.detach();
      expect(d.requiresGrad).toBe(false);
      x.mul(d).sum().backward();
      expect(vals(x.grad!)).toEqual([1, 2, 3]);
    });
  });

  it('an operand that does not require grad gets no gradient', () => {
    tidy(() => {
      const x = leaf([1, 2]);
      const c = tensor([3, 4]);
      x.mul(c).sum().backward();
      expect(vals(x.grad!)).toEqual([3, 4]);
      expect(c.grad).toBeNull();
    });
  });
});

describe('graph shapes', () => {
  it('x·x (same tensor twice) gives 2x', () => {
    tidy(() => {
      const x = leaf([1, -2, 3]);
      x.mul(x).sum().backward();
      expect(vals(x.grad!)).toEqual([2, -4, 6]);
    });
  });

  it('x + x gives 2, and (x + x)·x gives 4x', () => {
    tidy(() => {
      const x = leaf([1, 2]);
      x.add(x).sum().backward();
      expect(vals(x.grad!)).toEqual([2, 2]);
      x.grad = null;
      x.add(x).mul(x).sum().backward();
      expect(vals(x.grad!)).toEqual([4, 8]);
    });
  });

  it('diamond y = a·b + a: dy/da = b + 1, dy/db = a', () => {
    tidy(() => {
      const a = leaf([2, -1, 0.5]);
      const b = leaf([3, 4, -2]);
      a.mul(b).add(a).sum().backward();
      expect(vals(a.grad!)).toEqual([4, 5, -1]);
      expect(vals(b.grad!)).toEqual([2, -1, 0.5]);
    });
  });

  it('deeper diamond: u = a·2, v = u·u, w = u + v, loss = sum(w·a) = Σ 2a² + 4a³ → dL/da = 4a + 12a²', () => {
    tidy(() => {
      const a = leaf([1, -0.5, 2]);
      const u = a.mul(2);
      const v = u.mul(u);
      u.add(v).mul(a).sum().backward();
      expectClose(vals(a.grad!), [1, -0.5, 2].map((x) => 4 * x + 12 * x * x), 1e-6, 1e-6);
    });
  });

  it('broadcasting add [2, 3] + [3] and [2, 1]: grads reduce to the operand shapes', () => {
    tidy(() => {
      const a = leaf([[1, 2, 3], [4, 5, 6]]);
      const b = leaf([10, 20, 30]);
      const c = leaf([[1], [2]]);
      const w = tensor([[1, 2, 3], [4, 5, 6]]);
      a.add(b).add(c).mul(w).sum().backward();
      expect(a.grad!.shape).toEqual([2, 3]);
      expect(vals(a.grad!)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(b.grad!.shape).toEqual([3]);
      expect(vals(b.grad!)).toEqual([5, 7, 9]);
      expect(c.grad!.shape).toEqual([2, 1]);
      expect(vals(c.grad!)).toEqual([6, 15]);
    });
  });

  it('broadcasting mul [2, 3] · [1, 3] and a scalar tensor []: grads reduce to the operand shapes', () => {
    tidy(() => {
      const a = leaf([[1, 2, 3], [4, 5, 6]]);
      const b = leaf([[2, 3, 4]]);
      const s = leaf(2, []);
      a.mul(b).mul(s).sum().backward();
      expect(vals(a.grad!)).toEqual([4, 6, 8, 4, 6, 8]); // b·s
      expect(b.grad!.shape).toEqual([1, 3]);
      expect(vals(b.grad!)).toEqual([10, 14, 18]); // s·Σ_rows a
      expect(s.grad!.shape).toEqual([]);
      expect(vals(s.grad!)).toEqual([2 * 1 + 3 * 2 + 4 * 3 + 2 * 4 + 3 * 5 + 4 * 6]);
    });
  });

  it('broadcasting sub and div [2, 2] with [2, 1]', () => {
    tidy(() => {
      const a = leaf([[1, 2], [3, 4]]);
      const b = leaf([[2], [4]]);
      F.sub(a, b).sum().backward();
      expect(vals(a.grad!)).toEqual([1, 1, 1, 1]);
      expect(vals(b.grad!)).toEqual([-2, -2]);
      a.grad = null;
      b.grad = null;
      F.div(a, b).sum().backward();
      expectClose(vals(a.grad!), [0.5, 0.5, 0.25, 0.25]);
      // d/db Σ a/b = −Σ a / b²
      expectClose(vals(b.grad!), [-(1 + 2) / 4, -(3 + 4) / 16]);
    });
  });

  it('a non-scalar output without a gradient throws, naming the shape', () => {
    tidy(() => {
      const x = leaf([1, 2, 3]);
      expect(() => x.mul(2).backward()).toThrow(CnnError);
      expect(() => x.mul(2).backward()).toThrow('backward: an implicit gradient needs a one-element tensor, got shape [3]');
      expect(() => x.mul(2).backward(tensor([1, 2]))).toThrow('backward: gradient shape [2] does not match tensor shape [3]');
      expect(x.grad).toBeNull();
    });
  });

  it('backward frees intermediate gradients: only the leaf grads remain', () => {
    tidy(() => {
      const x = leaf([1, 2, 3]);
      const y = x.mul(2).exp().sum();
      const before = counts();
      y.backward();
      expect(counts().numTensors - before.numTensors).toBe(1); // x.grad
      expect(counts().numDataIds - before.numDataIds).toBe(1);
    });
  });
});

describe('deep graphs', () => {
  it('a chain of 5000 ops (x + 1 repeated, then ·1) backpropagates without overflowing the stack', () => {
    tidy(() => {
      const x = leaf([0.5, -1]);
      let y = x;
      for (let i = 0; i < 2500; i++) y = y.add(1).mul(1);
      y.sum().backward();
      expect(vals(y)).toEqual([2500.5, 2499]);
      expect(vals(x.grad!)).toEqual([1, 1]);
    });
  });

  it('a chain of 5000 multiplications by 1.0001 has gradient 1.0001^5000', () => {
    tidy(() => {
      const x = leaf([1]);
      let y = x;
      for (let i = 0; i < 5000; i++) y = y.mul(1.0001);
      y.sum().backward();
      expectClose(vals(x.grad!), [Math.pow(1.0001, 5000)], 1e-4, 0);
    });
  });
});
