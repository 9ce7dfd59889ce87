/**
 * Every numeric option of every command rejects malformed values — negative numbers included, which node:util parseArgs
 * would otherwise call "ambiguous" — with one message naming the command, the option, the value and what is allowed.
 */
import { describe, expect, it, vi } from 'vitest';
import { intArg, numArg, parseCommand } from '../src/cli/args.js';
import { COMMANDS } from '../src/cli/commands.js';
import { main } from '../src/cli/main.js';

/** Runs main() in this process; returns the exit code and what it wrote to stderr. */
async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(args), stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const NOT_NUMBERS = ['abc', 'NaN', 'Infinity', '1e999', '', '0x10', '1,5', ' 7'];
const INTEGER_BAD = (min: number): string[] => [...NOT_NUMBERS, '1.5', '2e3', String(min - 1), '-1', '-12', '99999999999999999999'];
const POSITIVE_BAD = [...NOT_NUMBERS, '0', '-0', '-1', '-0.5', '-1e-3'];

interface NumericOption {
  command: string;
  option: string;
  allowed: string;
  bad: string[];
  /** Other arguments so that a missing check would fail fast on something else instead of running the command. */
  rest?: string[];
}

// train checks --model-options after every numeric option: were a numeric check missing, the run stops there at once.
const trainRest = ['--model-options', 'not-json'];
// eval checks its numbers before the model source, which is absent here.
const NUMERIC_OPTIONS: NumericOption[] = [
  { command: 'train', option: 'epochs', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1), rest: trainRest },
  { command: 'train', option: 'batch-size', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1), rest: trainRest },
  { command: 'train', option: 'limit', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1), rest: trainRest },
  { command: 'train', option: 'seed', allowed: 'an integer ≥ 0', bad: INTEGER_BAD(0), rest: trainRest },
  { command: 'train', option: 'log-every', allowed: 'an integer ≥ 0', bad: INTEGER_BAD(0), rest: trainRest },
  { command: 'train', option: 'lr', allowed: 'a finite number > 0', bad: POSITIVE_BAD, rest: trainRest },
  { command: 'train', option: 'lr-step', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1), rest: trainRest },
  { command: 'train', option: 'lr-gamma', allowed: 'a finite number > 0', bad: POSITIVE_BAD, rest: trainRest },
  { command: 'eval', option: 'limit', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1) },
  { command: 'eval', option: 'batch-size', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1) },
  { command: 'summary', option: 'classes', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1) },
  { command: 'featuremaps', option: 'index', allowed: 'an integer ≥ 0', bad: INTEGER_BAD(0) },
  { command: 'train', option: 'noise', allowed: 'a finite number > 0', bad: POSITIVE_BAD, rest: ['--model', 'autoencoder', ...trainRest] },
  // reconstruct checks its numbers before the model source, which is absent here.
  { command: 'reconstruct', option: 'count', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1) },
  { command: 'reconstruct', option: 'index', allowed: 'an integer ≥ 0', bad: INTEGER_BAD(0) },
  { command: 'reconstruct', option: 'noise', allowed: 'a finite number > 0', bad: POSITIVE_BAD },
  { command: 'reconstruct', option: 'seed', allowed: 'an integer ≥ 0', bad: INTEGER_BAD(0) },
  { command: 'reconstruct', option: 'scale', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1) },
  // export checks --opset before the model source, which is absent here.
  { command: 'export', option: 'opset', allowed: 'an integer ≥ 1', bad: INTEGER_BAD(1) },
];

/** What the message says for a value: integers beyond 2^53 − 1 get the upper bound too. */
function expected(o: NumericOption, value: string): string {
  const huge = /^\d{17,}$/.test(value) ? o.allowed.replace(/≥ (\d+)/, `from $1 to ${Number.MAX_SAFE_INTEGER}`) : o.allowed;
  return `error: ${o.command}: --${o.option} must be ${huge}, got '${value}'`;
}

describe('numeric options', () => {
  it('the table covers every option whose help placeholder is a number', () => {
    const numericArgs = new Set(['<n>', '<x>', '<i>']);
    const declared = Object.entries(COMMANDS).flatMap(([c, cmd]) => Object.entries(cmd.spec.options).filter(([, o]) => o.arg && numericArgs.has(o.arg)).map(([k]) => `${c} --${k}`));
    expect(declared.sort()).toEqual(NUMERIC_OPTIONS.map((o) => `${o.command} --${o.option}`).sort());
  });

  for (const o of NUMERIC_OPTIONS) {
    it(`${o.command} --${o.option} rejects ${o.bad.map((b) => `'${b}'`).join(', ')} with one clear line (exit code 2)`, async () => {
      for (const value of o.bad) {
        for (const args of [[`--${o.option}`, value], [`--${o.option}=${value}`]]) {
          const r = await run(o.command, ...args, ...(o.rest ?? []));
          expect({ args, stderr: r.stderr.trim() }).toEqual({ args, stderr: expected(o, value) });
          expect(r.code).toBe(2);
        }
      }
    });
  }

  it('summary --input takes only integers ≥ 1, a leading minus included', async () => {
    for (const value of ['-1,1,28,28', '1,1,28,28.5', '1,0,28,28', '1,1,,28', '1,1,28,1e999', '28', 'a,b']) {
      const r = await run('summary', '--input', value);
      expect(r.stderr.trim()).toBe(`error: summary: --input must be a comma-separated shape of integers ≥ 1 like 1,1,28,28, got '${value}'`);
      expect(r.code).toBe(2);
    }
  });

  it('an option given no value says so instead of taking the next option as its value', async () => {
    for (const args of [['--epochs'], ['--epochs', '--verbose'], ['--lr', '-h'], ['--seed', '--epochs=2']]) {
      const r = await run('train', ...args);
      expect(r.stderr.split('\n')[0]).toBe(`error: train: --${args[0].slice(2)} needs a value ${args[0] === '--lr' ? '<x>' : '<n>'} (see pnpm cnn train --help)`);
      expect(r.code).toBe(2);
    }
  });

  it('accepts well-formed values, and any value that starts with a dash for a string option', () => {
    expect(intArg('train', 'epochs', '3')).toBe(3);
    expect(intArg('train', 'seed', '0', 0)).toBe(0);
    expect(Object.is(intArg('train', 'seed', '-0', 0), 0)).toBe(true);
    expect(intArg('train', 'seed', '+7', 0)).toBe(7);
    expect(intArg('train', 'limit', undefined)).toBeUndefined();
    expect(numArg('train', 'lr', '1e-3')).toBe(0.001);
    expect(numArg('train', 'lr', '.5')).toBe(0.5);
    expect(numArg('train', 'lr', '2.')).toBe(2);
    const p = parseCommand(COMMANDS.train.spec, ['--out', '-odd-folder', '--epochs', '-2']);
    expect(p.values.out).toBe('-odd-folder');
    expect(p.values.epochs).toBe('-2'); // then rejected by intArg, as above
  });
});
