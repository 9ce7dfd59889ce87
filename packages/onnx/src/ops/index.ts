/** The operator table: ONNX op_type (default domain) → implementation. */
import type { OpImpl } from './context.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { LAYOUT_OPS } from './layout.js';
import { MATH_OPS } from './math.js';
import { NN_OPS } from './nn.js';
import { NORM_OPS } from './norm.js';
import { REDUCE_OPS } from './reduce.js';
import { RESIZE_OPS } from './resize.js';
import { SHAPE_OPS } from './shape.js';

export const OPS: Readonly<Record<string, OpImpl>> = {
  ...ELEMENTWISE_OPS, ...MATH_OPS, ...NN_OPS, ...NORM_OPS, ...REDUCE_OPS, ...LAYOUT_OPS, ...RESIZE_OPS, ...SHAPE_OPS,
};

/** Every supported operator type, sorted. */
export function supportedOperators(): string[] {
  return Object.keys(OPS).sort();
}
