/** A small argument parser on node:util parseArgs, with usage errors as CliError. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** An error meant for the user: printed as one line, exit code `code` (2 for usage errors, 1 otherwise). */
export class CliError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help, e.g. '<n>'. */
  arg?: string;
  help: string;
  default?: string | boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  positionals?: { min: number; max: number };
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  verbose: { type: 'boolean', help: 'print stack traces on errors' },
};

export function helpText(cmd: CommandSpec): string {
  const lines = [`${cmd.summary}`, '', `usage: pnpm cnn ${cmd.usage}`, '', 'options:'];
  const all = { ...cmd.options, ...COMMON_OPTIONS };
  const rows = Object.entries(all).map(([k, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${k}${o.arg ? ` ${o.arg}` : ''}`, o.help + (o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '')]);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [a, b] of rows) lines.push(`  ${a.padEnd(w)}  ${b}`);
  return lines.join('\n');
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommand(cmd: CommandSpec, argv: string[]): Parsed {
  const options: ParseArgsConfig['options'] = {};
  for (const [k, o] of Object.entries({ ...cmd.options, ...COMMON_OPTIONS })) {
    options[k] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs messages are long and mention internals; keep the first sentence.
    const msg = (err as Error).message.split('. ')[0].replace(/^Unknown option/, 'unknown option');
    throw new CliError(`${cmd.name}: ${msg} (see pnpm cnn ${cmd.name} --help)`, 2);
  }
  const values = parsed.values as Parsed['values'];
  if (!values.help) {
    const { min, max } = cmd.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min) throw new CliError(`${cmd.name}: missing argument (usage: pnpm cnn ${cmd.usage})`, 2);
    if (parsed.positionals.length > max) throw new CliError(`${cmd.name}: unexpected argument '${parsed.positionals[max]}' (usage: pnpm cnn ${cmd.usage})`, 2);
  }
  return { values, positionals: parsed.positionals };
}

export function intArg(cmd: string, name: string, v: unknown, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${cmd}: --${name} must be an integer ≥ ${min}, got '${String(v)}'`, 2);
  return n;
}

export function numArg(cmd: string, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${cmd}: --${name} must be a positive number, got '${String(v)}'`, 2);
  return n;
}

export function choiceArg<T extends string>(cmd: string, name: string, v: unknown, choices: readonly T[]): T {
  if (!choices.includes(v as T)) throw new CliError(`${cmd}: unknown ${name} '${String(v)}' (expected one of: ${choices.join(', ')})`, 2);
  return v as T;
}
