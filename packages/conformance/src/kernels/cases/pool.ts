/**
 * pool2d and pool2dBackward, max and average, on window tables from core's resolvePool2d (kernel, stride, padding,
 * dilation, ceil mode, countIncludePad) and resolveAdaptivePool2d; ties (the first arg-max takes the gradient), NaN
 * and ±inf in windows, empty batches and large inputs.
 */
import { CnnError, kernelOutput, resolveAdaptivePool2d, resolvePool2d, type Pool2dGeometry, type Pool2dOptions } from '@cnn/core';
import type { CaseGenerator, KernelCase } from '../types.js';
import { shapeText } from '../types.js';
import { SPECIAL, TIES, UNIFORM, type CaseRandom, type Fill } from '../values.js';

function poolCases(xShape: number[], geo: Pool2dGeometry, how: string, fill: Fill): KernelCase[] {
  const yShape = [geo.batch, geo.channels, geo.outH, geo.outW];
  const text = `${geo.mode} ${how} x ${shapeText(xShape)} → ${shapeText(yShape)}${fill === TIES ? ' ties' : fill === SPECIAL ? ' with NaN/±inf' : ''}`;
  return [
    {
      name: `pool2d ${text}`,
      kernel: 'pool2d',
      inputs: [{ shape: xShape, dtype: 'float32', fill }],
      output: kernelOutput.pool2d(geo),
      call: (be, [x]) => be.pool2d(x, geo),
    },
    {
      name: `pool2dBackward ${text}`,
      kernel: 'pool2dBackward',
      inputs: [{ shape: yShape, dtype: 'float32', fill: UNIFORM }, { shape: xShape, dtype: 'float32', fill }],
      output: kernelOutput.pool2dBackward(geo),
      call: (be, [dy, x]) => be.pool2dBackward(dy, x, geo),
    },
  ];
}

function randomWindowed(rng: CaseRandom, mode: 'max' | 'avg', fill: Fill): KernelCase[] {
  for (;;) {
    const xShape = [rng.int(1, 2), rng.int(1, 5), rng.int(2, 12), rng.int(2, 12)];
    const kernelSize: [number, number] = [rng.int(1, 4), rng.int(1, 4)];
    const opts: Pool2dOptions = {
      kernelSize,
      stride: rng.chance(0.3) ? undefined : [rng.int(1, 3), rng.int(1, 3)],
      padding: [rng.int(0, kernelSize[0] >> 1), rng.int(0, kernelSize[1] >> 1)],
      ceilMode: rng.chance(0.4),
    };
    if (mode === 'max') opts.dilation = rng.chance(0.3) ? [rng.int(1, 2), rng.int(1, 3)] : undefined;
    else opts.countIncludePad = rng.chance(0.5);
    try {
      const geo = resolvePool2d(`${mode}Pool2d`, xShape, mode, opts);
      return poolCases(xShape, geo, JSON.stringify(opts), fill);
    } catch (err) {
      if (!(err instanceof CnnError)) throw err;
    }
  }
}

function adaptive(xShape: number[], mode: 'max' | 'avg', out: [number, number], fill: Fill): KernelCase[] {
  return poolCases(xShape, resolveAdaptivePool2d(`adaptive${mode}Pool2d`, xShape, mode, out), `adaptive ${shapeText(out)}`, fill);
}

export const poolKernelCases: CaseGenerator = (rng) => {
  const cases: KernelCase[] = [];
  for (const mode of ['max', 'avg'] as const) {
    for (let i = 0; i < 8; i++) cases.push(...randomWindowed(rng, mode, mode === 'max' && i % 2 ? TIES : UNIFORM));
    cases.push(...randomWindowed(rng, mode, SPECIAL));
    for (let i = 0; i < 3; i++) {
      const x = [rng.int(1, 2), rng.int(1, 4), rng.int(1, 11), rng.int(1, 11)];
      cases.push(...adaptive(x, mode, [rng.int(1, 6), rng.int(1, 6)], mode === 'max' && i === 1 ? TIES : UNIFORM));
    }
    cases.push(...poolCases([0, 3, 6, 6], resolvePool2d('pool', [0, 3, 6, 6], mode, { kernelSize: 2 }), 'kernel 2 (empty batch)', UNIFORM));
    cases.push(...poolCases([2, 8, 260, 260], resolvePool2d('pool', [2, 8, 260, 260], mode, { kernelSize: 3, stride: 2, padding: 1 }), 'kernel 3 stride 2 pad 1 (large)', UNIFORM));
  }
  cases.push(...poolCases([1, 2, 4, 4], resolvePool2d('pool', [1, 2, 4, 4], 'max', { kernelSize: 4 }), 'kernel 4 (one window of ties)', TIES));
  return cases;
};
