/** Errors thrown by argument validation: always name the op or layer, the argument, the value and what is allowed. */
export class CnnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CnnError';
  }
}

export function fail(op: string, message: string): never {
  throw new CnnError(`${op}: ${message}`);
}

export function fmt(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(fmt).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
