/**
 * Translates core's elementwise `expr` strings (JavaScript over x / a, b, p0, p1, Math.*, erf; see core's
 * elementwise.ts) into gpu.js kernel source with JavaScript's NaN semantics. The expression is parsed, not rewritten
 * by pattern, because every comparison, Math.max / Math.min and condition must become a NaN-aware helper (glsl.ts):
 * a GLSL comparison with NaN is undefined, and drivers fold `x <= 0 ? 0 : x` into max(x, 0), which drops NaN.
 *
 * Grammar (JavaScript precedence): ternary, ||, &&, equality (=== !== == !=), relational (< <= > >=), + -, * /,
 * unary - + !, calls `Math.f(...)` / `erf(...)` / `Number.isNaN(...)`, `Math.*` constants, numbers, variables.
 */

type Node =
  | { kind: 'num'; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'neg' | 'not'; arg: Node }
  | { kind: 'arith'; op: string; left: Node; right: Node }
  | { kind: 'compare'; op: string; left: Node; right: Node }
  | { kind: 'logic'; op: '&&' | '||'; left: Node; right: Node }
  | { kind: 'cond'; test: Node; then: Node; else: Node };

const VARIABLES = new Set(['x', 'a', 'b', 'p0', 'p1']);

const CONSTANTS: Record<string, string> = {
  'Math.SQRT1_2': '0.7071067811865476',
  'Math.SQRT2': '1.4142135623730951',
  'Math.PI': '3.141592653589793',
  'Math.E': '2.718281828459045',
  'Math.LN2': '0.6931471805599453',
  'Math.LN10': '2.302585092994046',
};

/**
 * Callable names → gpu.js source function and arity. GLSL's abs / floor / ceil keep NaN and ±inf (measured on
 * llvmpipe and SwiftShader); everything else goes through a helper of glsl.ts.
 */
const FUNCTIONS: Record<string, { to: string; arity: number }> = {
  'Math.abs': { to: 'Math.abs', arity: 1 },
  'Math.exp': { to: 'cnn_exp', arity: 1 },
  'Math.log': { to: 'cnn_log', arity: 1 },
  'Math.log1p': { to: 'cnn_log1p', arity: 1 },
  'Math.sqrt': { to: 'cnn_sqrt', arity: 1 },
  'Math.floor': { to: 'Math.floor', arity: 1 },
  'Math.ceil': { to: 'Math.ceil', arity: 1 },
  'Math.tanh': { to: 'cnn_tanh', arity: 1 },
  'Math.sign': { to: 'cnn_sign', arity: 1 },
  'Math.pow': { to: 'cnn_pow', arity: 2 },
  'Math.max': { to: 'cnn_max', arity: 2 },
  'Math.min': { to: 'cnn_min', arity: 2 },
  erf: { to: 'cnn_erf', arity: 1 },
  'Number.isNaN': { to: 'cnn_isnan', arity: 1 },
};

const COMPARE: Record<string, string> = { '<': 'cnn_lt', '<=': 'cnn_le', '>': 'cnn_gt', '>=': 'cnn_ge', '===': 'cnn_eq', '==': 'cnn_eq', '!==': 'cnn_ne', '!=': 'cnn_ne' };

const TOKEN = /\s*(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*|===|!==|==|!=|<=|>=|&&|\|\||[-+*/<>!?:(),])/y;

function tokenize(expr: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < expr.length) {
    if (/^\s*$/.test(expr.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`gpu backend: cannot translate elementwise expression '${expr}': unexpected '${expr.slice(at).trim()}'`);
    tokens.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: string[], private readonly expr: string) {}

  parse(): Node {
    const node = this.ternary();
    if (this.at < this.tokens.length) this.fail(`unexpected '${this.tokens[this.at]}'`);
    return node;
  }

  private fail(why: string): never {
    throw new Error(`gpu backend: cannot translate elementwise expression '${this.expr}': ${why}`);
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private take(expected?: string): string {
    const t = this.tokens[this.at++];
    if (t === undefined) this.fail('unexpected end');
    if (expected !== undefined && t !== expected) this.fail(`expected '${expected}', found '${t}'`);
    return t;
  }

  private ternary(): Node {
    const test = this.binary(0);
    if (this.peek() !== '?') return test;
    this.take('?');
    const then = this.ternary();
    this.take(':');
    return { kind: 'cond', test, then, else: this.ternary() };
  }

  /** Binary operators by precedence level, loosest first. */
  private static readonly LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['===', '!==', '==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/']];

  private binary(level: number): Node {
    if (level === Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    while (Parser.LEVELS[level].includes(this.peek() ?? '')) {
      const op = this.take();
      const right = this.binary(level + 1);
      if (op === '&&' || op === '||') left = { kind: 'logic', op, left, right };
      else if (op in COMPARE) left = { kind: 'compare', op, left, right };
      else left = { kind: 'arith', op, left, right };
    }
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (t === '-') return this.take(), { kind: 'neg', arg: this.unary() };
    if (t === '+') return this.take(), this.unary();
    if (t === '!') return this.take(), { kind: 'not', arg: this.unary() };
    return this.primary();
  }

  private primary(): Node {
    const t = this.take();
    if (t === '(') {
      const inner = this.ternary();
      this.take(')');
      return inner;
    }
    if (/^[\d.]/.test(t)) return { kind: 'num', text: t };
    if (this.peek() === '(') {
      const fn = FUNCTIONS[t];
      if (!fn) this.fail(`unsupported function '${t}' (supported: ${Object.keys(FUNCTIONS).join(', ')})`);
      this.take('(');
      const args: Node[] = [];
      while (this.peek() !== ')') {
        if (args.length) this.take(',');
        args.push(this.ternary());
      }
      this.take(')');
      if (args.length !== fn.arity) this.fail(`${t} takes ${fn.arity} argument(s), got ${args.length}`);
      return { kind: 'call', fn: t, args };
    }
    if (t in CONSTANTS) return { kind: 'num', text: CONSTANTS[t] };
    if (VARIABLES.has(t)) return { kind: 'var', name: t };
    return this.fail(`unknown name '${t}' (variables: ${[...VARIABLES].join(', ')}; constants: ${Object.keys(CONSTANTS).join(', ')})`);
  }
}

const isBool = (n: Node): boolean => n.kind === 'compare' || n.kind === 'logic' || n.kind === 'not' || (n.kind === 'call' && n.fn === 'Number.isNaN');

/** gpu.js source of `n` as a number (a condition used as a number is 1 or 0, as JavaScript's `+true`). */
function num(n: Node): string {
  switch (n.kind) {
    case 'num':
      return n.text;
    case 'var':
      return n.name;
    case 'neg':
      return `(-${num(n.arg)})`;
    case 'arith':
      return `(${num(n.left)} ${n.op} ${num(n.right)})`;
    case 'cond':
      return `(${bool(n.test)} ? ${num(n.then)} : ${num(n.else)})`;
    case 'call':
      if (n.fn === 'Number.isNaN') return `cnn_isnan(${num(n.args[0])})`;
      return `${FUNCTIONS[n.fn].to}(${n.args.map(num).join(', ')})`;
    default:
      return `(${bool(n)} ? 1 : 0)`;
  }
}

/** gpu.js source of `n` as a GLSL bool with JavaScript's meaning: NaN compares false (unequal), NaN is falsy. */
function bool(n: Node): string {
  switch (n.kind) {
    case 'compare':
      return `(${COMPARE[n.op]}(${num(n.left)}, ${num(n.right)}) > 0.5)`;
    case 'logic':
      return `(${bool(n.left)} ${n.op} ${bool(n.right)})`;
    case 'not':
      return `(!${bool(n.arg)})`;
    case 'call':
      if (n.fn === 'Number.isNaN') return `(cnn_isnan(${num(n.args[0])}) > 0.5)`;
      return `(cnn_truthy(${num(n)}) > 0.5)`;
    default:
      return isBool(n) ? num(n) : `(cnn_truthy(${num(n)}) > 0.5)`;
  }
}

const cache = new Map<string, string>();

/** The gpu.js source expression for a core elementwise `expr`, with JavaScript's NaN semantics. */
export function translateExpr(expr: string): string {
  let out = cache.get(expr);
  if (out === undefined) {
    const tree = new Parser(tokenize(expr), expr).parse();
    out = isBool(tree) ? `(${bool(tree)} ? 1 : 0)` : num(tree);
    cache.set(expr, out);
  }
  return out;
}
