/** Runners for issue 13's normalisation and rearrangement ops: groupNorm, layerNorm, instanceNorm, pixelShuffle,
 * pixelUnshuffle, channelShuffle (attributes in the README's table of ops beyond the format's). */
import { F } from '@cnn/core';
import { boolAttr, intAttr, optionalNumberAttr, type Attrs, type OpSpec } from './op-spec.js';

/** layerNorm's `normalizedShape`: one integer or a list of them. */
function normalizedShape(a: Attrs): number | number[] {
  const v = a.normalizedShape;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (Array.isArray(v) && v.every((d) => typeof d === 'number' && Number.isInteger(d))) return [...(v as number[])];
  throw new Error(`layerNorm: attribute 'normalizedShape' must be an integer or a list of integers, got ${JSON.stringify(v)}`);
}

export const TOOLKIT_NORM_OPS: Record<string, OpSpec> = {
  groupNorm: {
    inputs: ['input'], optionalInputs: ['weight', 'bias'], attrs: ['numGroups', 'eps'],
    run: (i, a) => [
      F.groupNorm(i.input, intAttr('groupNorm', a, 'numGroups'), i.weight ?? null, i.bias ?? null, { eps: optionalNumberAttr('groupNorm', a, 'eps') }),
    ],
  },
  layerNorm: {
    inputs: ['input'], optionalInputs: ['weight', 'bias'], attrs: ['normalizedShape', 'eps'],
    run: (i, a) => [F.layerNorm(i.input, normalizedShape(a), i.weight ?? null, i.bias ?? null, { eps: optionalNumberAttr('layerNorm', a, 'eps') })],
  },
  instanceNorm: {
    inputs: ['input'], optionalInputs: ['weight', 'bias', 'runningMean', 'runningVar'], attrs: ['useInputStats', 'momentum', 'eps'],
    noGrad: ['runningMean', 'runningVar'],
    run: (i, a) => {
      const rm = i.runningMean ?? null;
      const rv = i.runningVar ?? null;
      const useInputStats = boolAttr('instanceNorm', a, 'useInputStats', true);
      const opts = { useInputStats, momentum: optionalNumberAttr('instanceNorm', a, 'momentum'), eps: optionalNumberAttr('instanceNorm', a, 'eps') };
      const y = F.instanceNorm(i.input, rm, rv, i.weight ?? null, i.bias ?? null, opts);
      // With instance statistics the running ones are updated in place: they are outputs 1 and 2 (as batchNorm2d).
      return useInputStats && rm && rv ? [y, rm, rv] : [y];
    },
  },
  pixelShuffle: { inputs: ['input'], attrs: ['upscaleFactor'], run: (i, a) => [F.pixelShuffle(i.input, intAttr('pixelShuffle', a, 'upscaleFactor'))] },
  pixelUnshuffle: {
    inputs: ['input'], attrs: ['downscaleFactor'],
    run: (i, a) => [F.pixelUnshuffle(i.input, intAttr('pixelUnshuffle', a, 'downscaleFactor'))],
  },
  channelShuffle: { inputs: ['input'], attrs: ['groups'], run: (i, a) => [F.channelShuffle(i.input, intAttr('channelShuffle', a, 'groups'))] },
};
