/** Runners for unfold (im2col) and fold (col2im); the library checks each size attribute (integer or pair) itself. */
import { F } from '@cnn/core';
import { intOrPairAttr, optionsOf, type Attrs, type OpSpec } from './op-spec.js';

const UNFOLD_ATTRS = ['kernelSize', 'dilation', 'padding', 'stride'] as const;

/** Every present size attribute must be an integer or a pair of integers. */
function checked(op: string, a: Attrs): Attrs {
  for (const name of Object.keys(a)) intOrPairAttr(op, a, name);
  return a;
}

export const UNFOLD_OPS: Record<string, OpSpec> = {
  unfold: { inputs: ['input'], attrs: UNFOLD_ATTRS, run: (i, a) => [F.unfold(i.input, optionsOf<F.UnfoldOptions>(checked('unfold', a)))] },
  fold: {
    inputs: ['input'], attrs: ['outputSize', ...UNFOLD_ATTRS],
    run: (i, a) => [F.fold(i.input, optionsOf<F.FoldOptions>(checked('fold', a)))],
  },
};
