import { fail, fmt } from '../errors.js';

export type Pair = number | readonly [number, number];

/** Normalises a number-or-pair argument and checks it is an integer ≥ `min`. */
export function pair(op: string, name: string, value: Pair | undefined, fallback: Pair, min: number): [number, number] {
  const v = value ?? fallback;
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if ((typeof v !== 'number' && (!Array.isArray(v) || v.length !== 2)) || !p.every((x) => Number.isInteger(x))) {
    fail(op, `${name} must be an integer or a pair of integers, got ${fmt(v)}`);
  }
  if (p[0] < min || p[1] < min) fail(op, `${name} must be ≥ ${min}, got ${fmt(p)}`);
  return p;
}

export function positiveInt(op: string, name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) fail(op, `${name} must be an integer ≥ 1, got ${fmt(v)}`);
  return v;
}

export function oneOf<T extends string>(op: string, name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  const v = value ?? fallback;
  if (!allowed.includes(v)) fail(op, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${fmt(v)}`);
  return v;
}

export function finiteNumber(op: string, name: string, value: number | undefined, fallback: number, min = -Infinity): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    fail(op, `${name} must be a finite number${min > -Infinity ? ` ≥ ${min}` : ''}, got ${fmt(v)}`);
  }
  return v;
}
