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

/** The option a token names ('--epochs', '-h'; not '--epochs=3'), if it names one of `specs`. */
function optionNamed(token: string, specs: Record<string, OptionSpec>): string | undefined {
  if (token.startsWith('--')) return token.includes('=') || !Object.hasOwn(specs, token.slice(2)) ? undefined : token.slice(2);
  if (token.length === 2 && token[0] === '-') return Object.keys(specs).find((k) => specs[k].short === token[1]);
  return undefined;
}

/**
 * parseArgs refuses a value that starts with '-' after a string option ('--epochs -1' is "ambiguous"), so such a value is
 * joined to its option ('--epochs=-1') and checked like any other value. A following token that is itself one of the
 * command's options means the value was left out.
 */
function joinDashValues(cmd: CommandSpec, specs: Record<string, OptionSpec>, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') return [...out, ...argv.slice(i)];
    const name = optionNamed(token, specs);
    if (name === undefined || specs[name].type !== 'string') {
      out.push(token);
      continue;
    }
    const next = argv[i + 1] as string | undefined;
    if (next === undefined || next === '--' || optionNamed(next.split('=')[0], specs) !== undefined) {
      throw new CliError(`${cmd.name}: --${name} needs a value${specs[name].arg ? ` ${specs[name].arg}` : ''} (see pnpm cnn ${cmd.name} --help)`, 2);
    }
    if (next.startsWith('-')) out.push(`--${name}=${next}`);
    else out.push(token, next);
    i++;
  }
  return out;
}

export function parseCommand(cmd: CommandSpec, argv: string[]): Parsed {
  const specs = { ...cmd.options, ...COMMON_OPTIONS };
  const options: ParseArgsConfig['options'] = {};
  for (const [k, o] of Object.entries(specs)) {
    options[k] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  const args = joinDashValues(cmd, specs, argv);
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
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

/** Decimal digits only: '1.5', '1e3', '0x10', ' 7' and '' are not integers here. */
const INTEGER = /^[+-]?\d+$/;
/** A plain decimal number, optionally with an exponent: not 'NaN', 'Infinity', '0x10' or ''. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** An integer option ≥ `min` (undefined when absent); anything else is a usage error naming the option and the value. */
export function intArg(cmd: string, name: string, v: unknown, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v);
  const n = INTEGER.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const range = Number.isFinite(n) && n > Number.MAX_SAFE_INTEGER ? `from ${min} to ${Number.MAX_SAFE_INTEGER}` : `≥ ${min}`;
    throw new CliError(`${cmd}: --${name} must be an integer ${range}, got '${text}'`, 2);
  }
  return n + 0; // '-0' is 0
}

/** A finite number > 0 (undefined when absent); anything else is a usage error naming the option and the value. */
export function numArg(cmd: string, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v);
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${cmd}: --${name} must be a finite number > 0, got '${text}'`, 2);
  return n;
}

export function choiceArg<T extends string>(cmd: string, name: string, v: unknown, choices: readonly T[]): T {
  if (!choices.includes(v as T)) throw new CliError(`${cmd}: unknown ${name} '${String(v)}' (expected one of: ${choices.join(', ')})`, 2);
  return v as T;
}
