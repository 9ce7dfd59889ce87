/**
 * Seedable pseudo-random numbers (xoshiro128**), used for initialisation, dropout masks and data shuffling, so a
 * run is reproducible after `manualSeed(n)`. The stream differs from PyTorch's; seeding makes it repeatable, not equal.
 * `getState()` / `setState()` save and restore a generator exactly (training checkpoints).
 */
import { CnnError } from './errors.js';

/** A generator's whole state (`getState()`), plain JSON: resuming from it continues the stream exactly. */
export interface GeneratorState {
  /** The four xoshiro128** words. */
  s: [number, number, number, number];
  /** The second value of the last Box–Muller pair, not yet handed out (null when none). */
  spare: number | null;
}

export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed: number) {
    this.seed(seed);
  }

  seed(seed: number): void {
    // splitmix32 expands the seed into the four state words.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
  }

  /** The state as plain JSON (like torch.Generator.get_state): `setState` of it continues the same stream. */
  getState(): GeneratorState {
    return { s: [this.s[0], this.s[1], this.s[2], this.s[3]], spare: this.spare };
  }

  /** Restores a state from `getState()` (checked: four uint32 words, not all zero; `spare` a finite number or null). */
  setState(state: GeneratorState): void {
    const words = state?.s;
    const ok = Array.isArray(words) && words.length === 4 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && words.some((w) => w !== 0);
    if (!ok) throw new CnnError(`Generator.setState: s must be four uint32 words, not all zero, got ${JSON.stringify(words)}`);
    const spare = state.spare;
    if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) throw new CnnError(`Generator.setState: spare must be a finite number or null, got ${String(spare)}`);
    this.s.set(words);
    this.spare = spare;
  }

  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const KEY = Symbol.for('@cnn/core/generator');
type G = typeof globalThis & { [KEY]?: Generator };

/** The global generator. */
export function globalGenerator(): Generator {
  const g = globalThis as G;
  g[KEY] ??= new Generator(Date.now() ^ (Math.random() * 0x100000000));
  return g[KEY];
}

/** Seeds the global generator, like torch.manual_seed. */
export function manualSeed(seed: number): void {
  globalGenerator().seed(seed);
}
