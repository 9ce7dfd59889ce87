/**
 * What the runner knows about one op of the format, and typed readers for attributes (which come from JSON).
 * A reader that meets a value of the wrong kind throws an error naming the op, the attribute, the value and what is
 * allowed; values of the right kind are left to the library's own checks (ranges, dims), which name them as well.
 */
import type { Tensor } from '@cnn/core';

export type Attrs = Readonly<Record<string, unknown>>;
export type OpRunner = (inputs: Record<string, Tensor>, attrs: Attrs) => Tensor[];

export interface OpSpec {
  inputs: readonly string[];
  optionalInputs?: readonly string[];
  attrs: readonly string[];
  run: OpRunner;
  /** Inputs that are never differentiated (targets, running statistics). */
  noGrad?: readonly string[];
}

function wrong(op: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${op}: attribute '${name}' must be ${allowed}, got ${JSON.stringify(value)}`);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function intAttr(op: string, attrs: Attrs, name: string): number {
  const v = attrs[name];
  return isInt(v) ? v : wrong(op, name, v, 'an integer');
}

export function optionalIntAttr(op: string, attrs: Attrs, name: string): number | undefined {
  return attrs[name] === undefined ? undefined : intAttr(op, attrs, name);
}

export function numberAttr(op: string, attrs: Attrs, name: string): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : wrong(op, name, v, 'a number');
}

export function optionalNumberAttr(op: string, attrs: Attrs, name: string): number | undefined {
  return attrs[name] === undefined ? undefined : numberAttr(op, attrs, name);
}

/** A size given as one integer for both spatial dims or as a pair (`outputSize: 1` or `[2, 3]`). */
export function intOrPairAttr(op: string, attrs: Attrs, name: string): number | [number, number] {
  const v = attrs[name];
  if (isInt(v)) return v;
  return Array.isArray(v) && v.length === 2 && v.every(isInt) ? [v[0], v[1]] : wrong(op, name, v, 'an integer or a pair of integers');
}

export function boolAttr(op: string, attrs: Attrs, name: string, fallback: boolean): boolean {
  const v = attrs[name];
  if (v === undefined) return fallback;
  return typeof v === 'boolean' ? v : wrong(op, name, v, 'true or false');
}

export function intListAttr(op: string, attrs: Attrs, name: string): number[] {
  const v = attrs[name];
  return Array.isArray(v) && v.every(isInt) ? [...v] : wrong(op, name, v, 'a list of integers');
}

/** `dim` of a reduction: one dimension, a list of them, or absent for all of them. */
export function dimsAttr(op: string, attrs: Attrs, name: string): number | number[] | undefined {
  const v = attrs[name];
  if (v === undefined || isInt(v)) return v;
  return Array.isArray(v) && v.every(isInt) ? [...v] : wrong(op, name, v, 'an integer, a list of integers, or absent (all dimensions)');
}

export function oneOfAttr<T extends string>(op: string, attrs: Attrs, name: string, allowed: readonly T[]): T | undefined {
  const v = attrs[name];
  if (v === undefined) return undefined;
  return allowed.includes(v as T) ? (v as T) : wrong(op, name, v, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

/**
 * The attributes as the library's options object, for ops whose options the library checks field by field itself
 * (convolution, pooling): the runner has already refused attribute names it does not know.
 */
export function optionsOf<T extends object>(attrs: Attrs): T {
  return attrs as T;
}
