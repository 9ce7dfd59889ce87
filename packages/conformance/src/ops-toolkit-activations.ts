/** Runners for issue 13's activations: relu6, hardtanh, hardswish, hardsigmoid, silu, mish, softplus, prelu. */
import { F } from '@cnn/core';
import { optionalNumberAttr, type OpSpec } from './op-spec.js';

export const TOOLKIT_ACTIVATION_OPS: Record<string, OpSpec> = {
  relu6: { inputs: ['input'], attrs: [], run: (i) => [F.relu6(i.input)] },
  hardtanh: {
    inputs: ['input'], attrs: ['minVal', 'maxVal'],
    run: (i, a) => [F.hardtanh(i.input, optionalNumberAttr('hardtanh', a, 'minVal'), optionalNumberAttr('hardtanh', a, 'maxVal'))],
  },
  hardswish: { inputs: ['input'], attrs: [], run: (i) => [F.hardswish(i.input)] },
  hardsigmoid: { inputs: ['input'], attrs: [], run: (i) => [F.hardsigmoid(i.input)] },
  silu: { inputs: ['input'], attrs: [], run: (i) => [F.silu(i.input)] },
  mish: { inputs: ['input'], attrs: [], run: (i) => [F.mish(i.input)] },
  softplus: {
    inputs: ['input'], attrs: ['beta', 'threshold'],
    run: (i, a) => [F.softplus(i.input, optionalNumberAttr('softplus', a, 'beta'), optionalNumberAttr('softplus', a, 'threshold'))],
  },
  prelu: { inputs: ['input', 'weight'], attrs: [], run: (i) => [F.prelu(i.input, i.weight)] },
};
