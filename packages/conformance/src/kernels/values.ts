/**
 * Seeded input values for the kernel suite. Every case draws from its own generator (seeded by the suite seed and the
 * case's position), so a failing case reproduces on its own with `--seed` and `--filter`.
 */
import { Generator, type DType, type TypedArray } from '@cnn/core';

/** How an input is filled. */
export type Fill =
  /** Uniform in [lo, hi). */
  | { kind: 'uniform'; lo: number; hi: number }
  /** Few distinct values (multiples of 0.5 in [-2, 2]), so maxima, minima and window arg-maxes tie. */
  | { kind: 'ties' }
  /** Uniform values with NaN, +inf, -inf, ±0 and ties mixed in at `rate`. */
  | { kind: 'special'; rate: number }
  /** Integers in [lo, hi] (class indices, int32 operands). */
  | { kind: 'integers'; lo: number; hi: number };

export const UNIFORM: Fill = { kind: 'uniform', lo: -1, hi: 1 };
export const POSITIVE: Fill = { kind: 'uniform', lo: 0.05, hi: 2 };
export const TIES: Fill = { kind: 'ties' };
export const SPECIAL: Fill = { kind: 'special', rate: 0.2 };

/**
 * The operand of a sum of `terms` products, scaled as PyTorch's default init scales weights (±1/√fan-in) so the sums
 * stay O(1) however long they are. With both operands in [-1, 1], an output that cancels to near 0 over a thousand
 * terms carries float32 rounding of its O(30) partial sums — 1e-5, the suite's atol — in any backend that accumulates
 * in float32; scaled, rounding stays far below atol while a wrong index or a dropped term still moves outputs by
 * orders of magnitude more.
 */
export function fanIn(terms: number): Fill {
  const bound = 1 / Math.sqrt(Math.max(terms, 1));
  return { kind: 'uniform', lo: -bound, hi: bound };
}

const SPECIAL_VALUES = [NaN, Infinity, -Infinity, 0, -0, 1, -1];

export class CaseRandom {
  private readonly g: Generator;

  constructor(seed: number) {
    this.g = new Generator(seed);
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + this.g.int(hi - lo + 1);
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.g.uniform();
  }

  chance(p: number): boolean {
    return this.g.uniform() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.g.int(items.length)];
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = this.g.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }

  values(n: number, fill: Fill, dtype: DType): TypedArray {
    const out = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(fill);
    return out;
  }

  private value(fill: Fill): number {
    switch (fill.kind) {
      case 'uniform':
        return fill.lo + (fill.hi - fill.lo) * this.g.uniform();
      case 'ties':
        return (this.g.int(9) - 4) / 2;
      case 'integers':
        return fill.lo + this.g.int(fill.hi - fill.lo + 1);
      case 'special':
        return this.g.uniform() < fill.rate ? this.pick(SPECIAL_VALUES) : this.g.uniform() * 2 - 1;
    }
  }
}

/** The generator of case number `index` in a suite seeded with `seed`. */
export function caseSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
}
