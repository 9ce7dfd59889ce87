/** Shared helpers for the architectures: option validation and a forward chain that owns its intermediates. */
import { CnnError, nn, type Tensor } from '@cnn/core';

/** Runs `steps` in order on `x`, like nn.Sequential (core's nn.runChain): if a step throws, the activations made so
 * far are freed; the output owns the intermediates its autograd graph needs, and in inference they are freed as soon
 * as the next step has run. */
export function chain(x: Tensor, steps: readonly ((t: Tensor) => Tensor)[]): Tensor {
  return nn.runChain(x, steps);
}

export function fail(model: string, message: string): never {
  throw new CnnError(`${model}: ${message}`);
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

/** Rejects option names the builder does not know (typos would otherwise be silently ignored). */
export function checkKeys(model: string, opts: object, allowed: readonly string[]): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) fail(model, `options must be an object, got ${show(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) fail(model, `unknown option '${k}'; allowed options: ${allowed.join(', ')}`);
  }
}

export function intOpt(model: string, name: string, v: unknown, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(model, `${name} must be an integer ≥ ${min}, got ${show(v)}`);
  return v;
}

export function numOpt(model: string, name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(model, `${name} must be a number in [${min}, ${max}], got ${show(v)}`);
  return v;
}

export function boolOpt(model: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(model, `${name} must be true or false, got ${show(v)}`);
  return v;
}

export function enumOpt<T extends string>(model: string, name: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(model, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  return v as T;
}

export function intListOpt(model: string, name: string, v: unknown, dflt: number[]): number[] {
  if (v === undefined) return [...dflt];
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1)) {
    fail(model, `${name} must be a list of integers ≥ 1, got ${show(v)}`);
  }
  return [...v];
}

/** Output size of a k×k window with stride s and padding p (floor mode). */
export function outSize(n: number, k: number, s: number, p = 0): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}
