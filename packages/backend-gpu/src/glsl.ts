/**
 * GLSL (ES 1.00 / 3.00 compatible) helpers added to every kernel as gpu.js native functions, and the translation of
 * core's elementwise `expr` strings (JavaScript over x / a, b, p0, p1, Math.*, erf) into gpu.js kernel source.
 *
 * GLSL ES 1.00 has no tanh and no erf, and its pow(x, y) is undefined for x < 0; these replacements follow JavaScript's
 * Math semantics closely enough for float32 (see the README's tolerance note).
 */

/** erf after W. J. Cody's rational approximations (the same as core's math.ts), evaluated in float32. */
const ERF_MAIN = `float cnn_erf(float x) {
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
const TANH = `float cnn_tanh(float x) {
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

/** Math.sign, with sign(0) = 0 (NaN handling is the driver's). */
const SIGN = `float cnn_sign(float x) {
  return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
}`;

/** Math.pow for float32: negative bases with integral exponents, 0^0 = 1, exact small integer powers. */
const POW = `float cnn_pow(float a, float b) {
  if (b == 0.0) return 1.0;
  if (b == 1.0) return a;
  if (b == 2.0) return a * a;
  if (b == 3.0) return a * a * a;
  if (b == -1.0) return 1.0 / a;
  if (b == 0.5) return sqrt(a);
  if (a == 0.0) return b > 0.0 ? 0.0 : 1.0 / a;
  if (a < 0.0) {
    if (floor(b) != b) return sqrt(a);
    float r = pow(-a, b);
    return mod(b, 2.0) == 1.0 ? -r : r;
  }
  return pow(a, b);
}`;

export const NATIVE_FUNCTIONS: { name: string; source: string }[] = [
  { name: 'cnn_erf', source: ERF_MAIN },
  { name: 'cnn_tanh', source: TANH },
  { name: 'cnn_sign', source: SIGN },
  { name: 'cnn_pow', source: POW },
];

/** Rewrites a core elementwise `expr` into gpu.js kernel source (native helpers for what GLSL lacks). */
export function translateExpr(expr: string): string {
  let s = expr
    .replace(/Math\.tanh\(/g, 'cnn_tanh(')
    .replace(/Math\.sign\(/g, 'cnn_sign(')
    .replace(/Math\.pow\(/g, 'cnn_pow(')
    .replace(/(^|[^\w.])erf\(/g, '$1cnn_erf(')
    .replace(/Math\.SQRT1_2/g, '0.7071067811865476')
    .replace(/Math\.SQRT2/g, '1.4142135623730951')
    .replace(/Math\.PI/g, '3.141592653589793')
    .replace(/Math\.E\b/g, '2.718281828459045')
    .replace(/===/g, '==')
    .replace(/!==/g, '!=');
  const unknown = s.match(/Math\.\w+/g)?.filter((m) => !SUPPORTED_MATH.has(m));
  if (unknown?.length) throw new Error(`gpu backend: cannot translate ${unknown.join(', ')} in elementwise expression '${expr}'`);
  s = s.trim();
  return s;
}

const SUPPORTED_MATH = new Set(['Math.abs', 'Math.exp', 'Math.log', 'Math.sqrt', 'Math.min', 'Math.max', 'Math.floor', 'Math.ceil']);
