/** Random shapes with the awkward sizes kernels get wrong: odd extents, ones, ranks 0 to 5. */
import type { CaseRandom } from '../values.js';

/** Extents mostly odd and small, sometimes 1, sometimes a multiple of 4 (tiled paths). */
export function extent(rng: CaseRandom, max = 9): number {
  const r = rng.uniform();
  if (r < 0.15) return 1;
  if (r < 0.3) return 4 * rng.int(1, Math.max(1, Math.floor(max / 4)));
  return rng.int(2, max);
}

export function randomShape(rng: CaseRandom, minRank: number, maxRank: number, max = 9): number[] {
  const rank = rng.int(minRank, maxRank);
  return Array.from({ length: rank }, () => extent(rng, max));
}

/**
 * Two operand shapes that broadcast to a random output shape: each operand keeps a suffix of the output's dims and
 * turns some of them into 1.
 */
export function broadcastPair(rng: CaseRandom): [number[], number[]] {
  const out = randomShape(rng, 0, 5, 7);
  const operand = (): number[] => {
    const keep = rng.chance(0.3) ? rng.int(0, out.length) : out.length;
    return out.slice(out.length - keep).map((d) => (rng.chance(0.3) ? 1 : d));
  };
  return [operand(), operand()];
}
