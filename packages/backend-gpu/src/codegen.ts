/**
 * Small code generator for gpu.js kernel sources. Every tensor lives in a 1-D float texture of its element count
 * (gpu.js folds it into a 2-D texture); a kernel computes one element at flat index `i = this.thread.x` and decomposes
 * it with float arithmetic (`Math.floor((i + 0.5) / d)` plus an exact ±1 fix-up, since GPU division is not correctly
 * rounded and integer division is unreliable on some drivers). All shapes, strides and loop bounds are literals in the
 * source, so a source string identifies its compiled shader.
 */
import { stridesOf } from '@cnn/core';

export class Src {
  private lines: string[] = [];
  private n = 0;

  /** A fresh variable name. */
  v(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  private zeroVar: string | null = null;

  /** A float variable holding 0 (gpu.js mistypes index expressions made of literals only, e.g. \`0 * 4\`). */
  zero(): string {
    if (!this.zeroVar) {
      this.zeroVar = this.v('zero');
      this.lines.push(`let ${this.zeroVar} = 0;`);
    }
    return this.zeroVar;
  }

  add(line: string): this {
    this.lines.push(line);
    return this;
  }

  /** `let name = expr;` with a fresh name. */
  let(prefix: string, expr: string): string {
    const name = this.v(prefix);
    this.lines.push(`let ${name} = ${expr};`);
    return name;
  }

  /**
   * Quotient and remainder of the non-negative integral float `num` by the positive integer `d`; exact for
   * num < 2^24. `small` skips the fix-up when num·d is small enough that float division cannot be off by one.
   */
  divmod(num: string, d: number, small = false): [string, string] {
    if (d === 1) return [num, this.zero()];
    const q = this.v('q');
    const r = this.v('r');
    this.lines.push(`let ${q} = Math.floor((${num} + 0.5) / ${d});`);
    this.lines.push(`let ${r} = ${num} - ${q} * ${d};`);
    if (!small) {
      this.lines.push(`if (${r} < 0) { ${q} = ${q} - 1; ${r} = ${r} + ${d}; }`);
      this.lines.push(`if (${r} >= ${d}) { ${q} = ${q} + 1; ${r} = ${r} - ${d}; }`);
    }
    return [q, r];
  }

  /** Coordinates of flat index `num` in a row-major `shape` (first coordinate unbounded). */
  coords(num: string, shape: readonly number[]): string[] {
    const out = new Array<string>(shape.length);
    let rem = num;
    for (let d = shape.length - 1; d >= 1; d--) {
      const [q, r] = this.divmod(rem, shape[d]);
      out[d] = r;
      rem = q;
    }
    if (shape.length) out[0] = rem;
    return out;
  }

  /** A kernel function source over `args`, returning `result`. */
  kernel(args: readonly string[], result: string): string {
    return `function(${args.join(', ')}) {\nlet i = this.thread.x;\n${this.lines.join('\n')}\nreturn ${result};\n}`;
  }

  body(): string {
    return this.lines.join('\n');
  }
}

/** `c0 * s0 + c1 * s1 + ...` without the zero terms. */
export function dot(coords: readonly string[], strides: readonly number[]): string {
  const terms: string[] = [];
  for (let d = 0; d < coords.length; d++) {
    if (strides[d] === 0 || coords[d] === '0') continue;
    terms.push(strides[d] === 1 ? coords[d] : `${coords[d]} * ${strides[d]}`);
  }
  return terms.length ? terms.join(' + ') : '0';
}

/**
 * Flat offsets of each operand for the output flat index `i`, over a loop core has already collapsed
 * (`BroadcastGeometry.loop`, `TransposeGeometry.loop`): `shape` with each operand's `strides`. An operand that walks
 * the loop in order reads at `i`; one broadcast over it all reads at 0.
 */
export function offsets(src: Src, shape: readonly number[], strides: readonly (readonly number[])[]): string[] {
  const contiguous = stridesOf(shape);
  const isIdentity = (s: readonly number[]) => s.every((v, d) => v === contiguous[d] || shape[d] === 1);
  if (strides.every(isIdentity)) return strides.map(() => 'i');
  const coords = src.coords('i', shape);
  return strides.map((s) => (isIdentity(s) ? 'i' : s.every((v) => v === 0) ? '0' : `(${dot(coords, s)})`));
}

/**
 * Emits a blocked reduction over k in [0, count): `body(k, dst)` returns statements adding term k into the
 * accumulators `dst`. Terms are summed in blocks of `block` into fresh partial sums that are then added to `accs`,
 * which keeps float32 rounding error near that of pairwise summation. `k` names a float index.
 */
function blockedSum(src: Src, accs: readonly string[], count: number, block: number, body: (k: string, dst: readonly string[]) => string): void {
  if (count <= 0) return;
  if (count <= block) {
    const t = src.v('t');
    src.add(`for (let ${t} = 0; ${t} < ${count}; ${t}++) { ${body(t, accs)} }`);
    return;
  }
  const nb = Math.floor(count / block);
  const rem = count - nb * block;
  const b = src.v('b');
  const t = src.v('t');
  const k = src.v('k');
  const ps = accs.map(() => src.v('p'));
  src.add(`for (let ${b} = 0; ${b} < ${nb}; ${b}++) { ${ps.map((p) => `let ${p} = 0;`).join(' ')}`);
  src.add(`for (let ${t} = 0; ${t} < ${block}; ${t}++) { let ${k} = ${b} * ${block} + ${t}; ${body(k, ps)} }`);
  src.add(`${accs.map((a, j) => `${a} += ${ps[j]};`).join(' ')} }`);
  if (rem) {
    const t2 = src.v('t');
    const k2 = src.v('k');
    src.add(`for (let ${t2} = 0; ${t2} < ${rem}; ${t2}++) { let ${k2} = ${nb * block} + ${t2}; ${body(k2, accs)} }`);
  }
}

/** A blocked sum: `acc` gets the sum of `term(k)` for k in [0, count). */
export function sumLoop(src: Src, acc: string, count: number, term: (k: string) => string, block = 64): void {
  blockedSum(src, [acc], count, block, (k, [dst]) => `${dst} += ${term(k)};`);
}

/**
 * The 4-wide blocked sum of a register tile: `accs[j] += sum over k in [0, count) of sv · vv[j]`, where `fetch(k, sv,
 * vv)` returns statements declaring the scalar `sv` and the vec4 `vv` for term k.
 */
export function sumLoop4(src: Src, accs: readonly string[], count: number, fetch: (k: string, sv: string, vv: string) => string, block = 64): void {
  blockedSum(src, accs, count, block, (k, dst) => {
    const sv = src.v('sv');
    const vv = src.v('vv');
    return `${fetch(k, sv, vv)} ${dst.map((d, j) => `${d} += ${sv} * ${vv}[${j}];`).join(' ')}`;
  });
}

/**
 * A 4×4 register-tile step: both operands packed 4 per texel. Each term k fetches the vec4 `sv` (4 consecutive
 * reduction values) and four vec4 `vs[j]` (the 4 outputs' values at reduction index 4k + j), and adds
 * `sv[j] · vs[j][c]` over j to `accs[c]` — 16 multiply-adds per 5 fetches.
 */
export function sumLoop4x4(src: Src, accs: readonly string[], count: number, fetch: (k: string, sv: string, vs: readonly string[]) => string, block = 16): void {
  blockedSum(src, accs, count, block, (k, dst) => {
    const sv = src.v('sv');
    const vs = [0, 1, 2, 3].map(() => src.v('vv'));
    return `${fetch(k, sv, vs)} ${dst.map((d, c) => `${d} += ${vs.map((v, j) => `${sv}[${j}] * ${v}[${c}]`).join(' + ')};`).join(' ')}`;
  });
}
