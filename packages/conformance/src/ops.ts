/**
 * How each op of the format is called through the public API. Attribute names are checked: an attribute this
 * runner does not know is a failure, never silently ignored. The runners live in ops-nn.ts (layers, losses) and
 * ops-tensor.ts (reductions, shape ops, matmul); adding an op is one entry there.
 */
import { INDEX_INPUTS, NN_OPS } from './ops-nn.js';
import { TENSOR_OPS } from './ops-tensor.js';
import { TOOLKIT_ACTIVATION_OPS } from './ops-toolkit-activations.js';
import { UNFOLD_OPS } from './ops-unfold.js';
import { TOOLKIT_NORM_OPS } from './ops-toolkit-norm.js';
import type { OpSpec } from './op-spec.js';

export type { OpRunner, OpSpec, Attrs } from './op-spec.js';
export { INDEX_INPUTS };

export const OPS: Record<string, OpSpec> = { ...NN_OPS, ...TENSOR_OPS, ...TOOLKIT_ACTIVATION_OPS, ...UNFOLD_OPS, ...TOOLKIT_NORM_OPS };
