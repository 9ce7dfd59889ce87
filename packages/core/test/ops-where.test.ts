/** F.where: picks without touching the branch not taken (±inf / NaN there stay out), broadcasting, gradients. */
import { beforeAll, describe, expect, it } from 'vitest';
import '@cnn/backend-cpu';
import { F, memory, setBackend, tensor, tidy } from '@cnn/core';
import { vals } from './helpers.js';
import { leaf } from './ops-helpers.js';

beforeAll(async () => {
  await setBackend('cpu');
});

describe('where', () => {
  it('picks x where the condition is non-zero, y elsewhere; inf and NaN in the other branch do not leak', () => {
    tidy(() => {
      const c = tensor([1, 0, 2, 0], [4], 'int32');
      const x = tensor([1, Infinity, NaN, 4]);
      const y = tensor([-Infinity, 20, 30, NaN]);
      expect(vals(F.where(c, x, y))).toEqual([1, 20, NaN, NaN]);
      expect(vals(F.where(tensor([0, 1, 1, 0]), x, 0))).toEqual([0, Infinity, NaN, 0]);
      expect(vals(F.where(tensor([0, 1, 1, 0]), 5, y))).toEqual([-Infinity, 5, 5, NaN]);
    });
  });

  it('broadcasts condition, x and y together', () => {
    tidy(() => {
      const out = F.where(tensor([1, 0], [2, 1]), tensor([1, 2, 3]), tensor([10], [1]));
      expect(out.shape).toEqual([2, 3]);
      expect(vals(out)).toEqual([1, 2, 3, 10, 10, 10]);
    });
  });

  it('sends the gradient to the branch taken, summed to each operand shape; frees its masks', () => {
    const before = memory().numTensors;
    tidy(() => {
      const x = leaf([1, 2, 3], [3]);
      const y = leaf([5], [1]);
      F.where(tensor([1, 0, 1]), x, y).mul(tensor([2, 3, 4])).sum().backward();
      expect(vals(x.grad!)).toEqual([2, 0, 4]);
      expect(vals(y.grad!)).toEqual([3]);
    });
    expect(memory().numTensors).toBe(before);
  });
});
