/**
 * GLSL helpers added to every kernel as gpu.js native functions (GLSL ES 1.00 under headless-gl and WebGL1, 3.00 under
 * WebGL2). They supply what GLSL lacks (erf, tanh, JavaScript's pow and sign) and, above all, JavaScript's special
 * values, which GLSL leaves undefined: drivers fold comparisons (llvmpipe under ANGLE turns `x <= 0.0 ? 0.0 : x`
 * into max(x, 0), so NaN becomes 0), rewrite `!(a > b)` as `a <= b`, and may fold `x != x` to false; SwiftShader
 * (Chrome's software WebGL) gives exp(NaN) = inf, log(0) = -88 and log(-x) = log(x). So no helper relies on a
 * comparison's NaN result or a built-in's answer off its domain: each tests for NaN and edge values first.
 *
 * Every helper returns float (gpu.js reads a native function's return type from its first type name, and has no bool).
 */
import type { GpuMode } from './context.js';

/**
 * A GLSL bool expression that is true exactly when `v` (a float variable) is NaN. GLSL ES 3.00: the bit pattern
 * (exponent all ones, mantissa non-zero), which no compiler can fold. GLSL ES 1.00 has no bit casts: two independent
 * tests, either of which a NaN-assuming compiler might fold to false but not both (measured on llvmpipe: both hold).
 */
export function isNanGlsl(mode: GpuMode, v: string): string {
  if (mode === 'webgl2') return `((floatBitsToUint(${v}) & 0x7fffffffu) > 0x7f800000u)`;
  return `(${v} != ${v} || !(${v} < 0.0 || ${v} >= 0.0))`;
}

/** erf after W. J. Cody's rational approximations (the same as core's math.ts), evaluated in float32. */
const ERF = (nan: (v: string) => string) => `float cnn_erf(float x) {
  if (${nan('x')}) return x;
  float ax = abs(x);
  if (ax < 0.5) {
    float t = x * x;
    float num = ((((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947);
    float den = ((((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062);
    return (x * num) / den;
  }
  float ec = 0.0;
  if (ax < 4.0) {
    float num = (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725;
    float den = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    ec = exp(-ax * ax) * (num / den);
  } else if (ax < 10.0) {
    float z = 1.0 / (ax * ax);
    float num = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z + 0.0160837851487422766) * z + 0.000658749161529837803;
    float den = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z + 0.00233520497626869185;
    ec = (exp(-ax * ax) / ax) * (0.564189583547756287 - (z * num) / den);
  }
  float e = 1.0 - ec;
  return x < 0.0 ? -e : e;
}`;

/** tanh: odd Taylor series near 0 (where 1 - e^-2x would cancel), the exponential form elsewhere. */
const TANH = (nan: (v: string) => string) => `float cnn_tanh(float x) {
  if (${nan('x')}) return x;
  float ax = abs(x);
  if (ax < 0.125) {
    float t = x * x;
    return x * (1.0 + t * (-0.333333333333333 + t * (0.133333333333333 + t * (-0.053968253968254 + t * 0.021869488536155))));
  }
  if (ax > 15.0) return x > 0.0 ? 1.0 : -1.0;
  float e = exp(-2.0 * ax);
  float r = (1.0 - e) / (1.0 + e);
  return x < 0.0 ? -r : r;
}`;

/** Math.sign: sign(±0) = ±0 (returned as is), sign(NaN) = NaN. */
const SIGN = (nan: (v: string) => string) => `float cnn_sign(float x) {
  if (${nan('x')}) return x;
  return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x);
}`;

/** Largest finite float32: |v| above it is infinite (GLSL ES has no inf literal or isinf in 1.00). */
const FLT_MAX = '3.4028234e38';

/**
 * Math.pow's special cases, which GLSL's pow leaves undefined (SwiftShader: pow(0, 0.5) = 7.7e-20, pow(1, inf) = inf):
 * x^0 = 1 (even for NaN), NaN otherwise propagates, (±1)^±inf = NaN, negative bases with integral exponents, the
 * signs of zero and infinite bases, exact small integer powers; a negative finite base with a fractional exponent is
 * NaN. GLSL's pow (or sqrt) is used only for a finite positive base and a finite exponent.
 */
const POW = (nan: (v: string) => string, makeNan: (v: string) => string) => `float cnn_pow(float a, float b) {
  if (b == 0.0) return 1.0;
  if (${nan('a')}) return a;
  if (${nan('b')}) return b;
  float m = abs(a);
  if (abs(b) > ${FLT_MAX}) {
    if (m == 1.0) return ${makeNan('a')};
    return (m > 1.0) == (b > 0.0) ? abs(b) : 0.0;
  }
  if (b == 1.0) return a;
  if (b == 2.0) return a * a;
  if (b == 3.0) return a * a * a;
  if (b == -1.0) return 1.0 / a;
  bool odd = floor(b) == b && mod(b, 2.0) == 1.0; // an odd integer keeps the base's sign
  if (a == 0.0) {
    if (b > 0.0) return odd ? a : 0.0;
    return odd ? 1.0 / a : 1.0 / m;
  }
  if (m > ${FLT_MAX}) {
    if (b > 0.0) return odd ? a : m;
    return odd ? 1.0 / a : 0.0;
  }
  if (a < 0.0) {
    if (floor(b) != b) return ${makeNan('a')};
    float r = pow(m, b);
    return odd ? -r : r;
  }
  return b == 0.5 ? sqrt(a) : pow(a, b);
}`;

/** exp with NaN kept (SwiftShader: exp(NaN) = inf). */
const EXP = (nan: (v: string) => string) => `float cnn_exp(float x) {
  if (${nan('x')}) return x;
  return exp(x);
}`;

/** Math.log: NaN and +inf kept, log(±0) = -inf, log(x < 0) = NaN (SwiftShader: log(0) = -88, log(-x) = log(x)). */
const LOG = (nan: (v: string) => string, makeNan: (v: string) => string) => `float cnn_log(float x) {
  if (${nan('x')} || x > ${FLT_MAX}) return x;
  if (x == 0.0) return -1.0 / abs(x);
  if (x < 0.0) return ${makeNan('x')};
  return log(x);
}`;

/**
 * Math.log1p: NaN, ±0 and +inf kept, log1p(-1) = -inf, log1p(x < -1) = NaN. Near 0, where 1 + x would lose x's low
 * bits, its series (to x⁸, relative error < 1e-9 for |x| < 0.05); elsewhere log(1 + x), whose rounding is then
 * at most ~1e-6 relative. softplus and mish take it of e^x, so their left tails stay accurate (softplus(-20) ≈ 2e-9).
 */
const LOG1P = (nan: (v: string) => string, makeNan: (v: string) => string) => `float cnn_log1p(float x) {
  if (${nan('x')} || x == 0.0 || x > ${FLT_MAX}) return x;
  if (x == -1.0) return -1.0 / abs(x + 1.0);
  if (x < -1.0) return ${makeNan('x')};
  if (abs(x) < 0.05) {
    return x * (1.0 + x * (-0.5 + x * (0.333333333333333 + x * (-0.25 + x * (0.2 + x * (-0.166666666666667 + x * 0.142857142857143))))));
  }
  return log(1.0 + x);
}`;

/** Math.sqrt: NaN, ±0 and +inf kept (sqrt(-0) = -0), sqrt(x < 0) = NaN. */
const SQRT = (nan: (v: string) => string, makeNan: (v: string) => string) => `float cnn_sqrt(float x) {
  if (${nan('x')} || x == 0.0 || x > ${FLT_MAX}) return x;
  if (x < 0.0) return ${makeNan('x')};
  return sqrt(x);
}`;

/** 1.0 when v is NaN, else 0.0. */
const IS_NAN = (nan: (v: string) => string) => `float cnn_isnan(float v) {
  return ${nan('v')} ? 1.0 : 0.0;
}`;

/** JavaScript's comparison: false (0.0) when either side is NaN, except `!=` which is then true. */
function compare(name: string, op: string, nan: (v: string) => string): string {
  const ifNan = op === '!=' ? '1.0' : '0.0';
  return `float ${name}(float a, float b) {
  if (${nan('a')} || ${nan('b')}) return ${ifNan};
  return a ${op} b ? 1.0 : 0.0;
}`;
}

/** Math.max / Math.min: NaN if either side is NaN (GLSL's max/min return the other operand on most drivers). */
const EXTREME = (name: string, fn: 'max' | 'min', nan: (v: string) => string) => `float ${name}(float a, float b) {
  if (${nan('a')}) return a;
  if (${nan('b')}) return b;
  return ${fn}(a, b);
}`;

/**
 * Whether v replaces `best` in a running max (min): strictly greater (smaller), or the first NaN. Once best is NaN
 * nothing replaces it, so a NaN propagates and, for arg ops, the first NaN's index wins; ties keep the first index.
 */
const BEATS = (name: string, op: '>' | '<', nan: (v: string) => string) => `float ${name}(float v, float best) {
  if (${nan('best')}) return 0.0;
  if (${nan('v')}) return 1.0;
  return v ${op} best ? 1.0 : 0.0;
}`;

/**
 * Whether max pooling's scan picks v over `best`, as PyTorch's `v > best || isnan(v)`: strictly greater (the first of
 * tied maxima stays), and every NaN replaces the pick (so the pick is the window's last NaN, the value NaN).
 */
const POOL_PICK = (nan: (v: string) => string) => `float cnn_pool_pick(float v, float best) {
  if (${nan('v')}) return 1.0;
  if (${nan('best')}) return 0.0;
  return v > best ? 1.0 : 0.0;
}`;

/**
 * The same pick between two candidates known by their in-plane index (blocks of a window scanned separately): the
 * scan visits lower indices first, so of two NaN the higher index wins, of two equal values the lower.
 */
const POOL_PICK_AT = (nan: (v: string) => string) => `float cnn_pool_pick_at(float v, float at, float best, float bestAt) {
  if (${nan('v')}) return ${nan('best')} ? (at > bestAt ? 1.0 : 0.0) : 1.0;
  if (${nan('best')}) return 0.0;
  if (v == best) return at < bestAt ? 1.0 : 0.0;
  return v > best ? 1.0 : 0.0;
}`;

/** JavaScript truthiness of a number: non-zero and not NaN. */
const TRUTHY = (nan: (v: string) => string) => `float cnn_truthy(float v) {
  if (${nan('v')}) return 0.0;
  return v != 0.0 ? 1.0 : 0.0;
}`;

/**
 * A GLSL float expression that is NaN. GLSL ES 3.00: from its bits. GLSL ES 1.00 has no NaN literal and ANGLE folds
 * 0.0 / 0.0 to 3.4e38 (measured under headless-gl), so a square root of a negative number computed at run time from
 * the float variable `v` (NaN on llvmpipe and SwiftShader, measured).
 */
export function makeNanGlsl(mode: GpuMode, v: string): string {
  if (mode === 'webgl2') return 'uintBitsToFloat(0x7fc00000u)';
  return `sqrt(-1.0 - abs(${v}))`;
}

/** The native functions for a context of this mode (the NaN test differs between GLSL ES 1.00 and 3.00). */
export function nativeFunctions(mode: GpuMode): { name: string; source: string }[] {
  const nan = (v: string) => isNanGlsl(mode, v);
  const makeNan = (v: string) => makeNanGlsl(mode, v);
  const comparisons: [string, string][] = [['cnn_lt', '<'], ['cnn_le', '<='], ['cnn_gt', '>'], ['cnn_ge', '>='], ['cnn_eq', '=='], ['cnn_ne', '!=']];
  return [
    { name: 'cnn_isnan', source: IS_NAN(nan) },
    { name: 'cnn_truthy', source: TRUTHY(nan) },
    ...comparisons.map(([name, op]) => ({ name, source: compare(name, op, nan) })),
    { name: 'cnn_max', source: EXTREME('cnn_max', 'max', nan) },
    { name: 'cnn_min', source: EXTREME('cnn_min', 'min', nan) },
    { name: 'cnn_beats_max', source: BEATS('cnn_beats_max', '>', nan) },
    { name: 'cnn_beats_min', source: BEATS('cnn_beats_min', '<', nan) },
    { name: 'cnn_pool_pick', source: POOL_PICK(nan) },
    { name: 'cnn_pool_pick_at', source: POOL_PICK_AT(nan) },
    { name: 'cnn_erf', source: ERF(nan) },
    { name: 'cnn_tanh', source: TANH(nan) },
    { name: 'cnn_sign', source: SIGN(nan) },
    { name: 'cnn_pow', source: POW(nan, makeNan) },
    { name: 'cnn_exp', source: EXP(nan) },
    { name: 'cnn_log', source: LOG(nan, makeNan) },
    { name: 'cnn_log1p', source: LOG1P(nan, makeNan) },
    { name: 'cnn_sqrt', source: SQRT(nan, makeNan) },
  ];
}
