/**
 * The conv step the TensorFlow.js adapters time, on whichever tfjs backend is active. NHWC: forward is tf.conv2d;
 * backward runs the two kernels tf.conv2d's gradient is made of (Conv2DBackpropInput, Conv2DBackpropFilter) through
 * the engine, because tfjs-core's entry point registers no gradients. The operands are contract.ts's (same seeds),
 * transposed to NHWC / HWIO, so `output()` (transposed back to NCHW) compares with our backends' output.
 * Browser-safe (the browser bench page uses it too).
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { nchwToNhwc, nhwcToNchw, oihwToHwio, randomArray } from '../data.js';
import type { ConvSpec, Step } from '../types.js';
import { CONV_SEEDS } from './contract.js';

type Tf = typeof import('@tensorflow/tfjs-core');

export function tfjsConvStep(tf: Tf, adapter: string, c: ConvSpec, backward: boolean): Step {
  if (c.groups !== 1 || c.dilation !== 1) throw new Error(`${adapter} adapter: only groups = 1, dilation = 1 convs`);
  const [n, ch, h, w] = c.input;
  const [o, , kH, kW] = c.weight;
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const x: Tensor4D = tf.tensor4d(nchwToNhwc(randomArray(size(c.input), CONV_SEEDS.input), c.input), [n, h, w, ch]);
  const f: Tensor4D = tf.tensor4d(oihwToHwio(randomArray(size(c.weight), CONV_SEEDS.weight), c.weight), [kH, kW, ch, o]);
  const pad = c.padding === (kH - 1) / 2 && c.stride === 1 ? 'same' : c.padding === 0 ? 'valid' : c.padding;
  const attrs = { strides: [c.stride, c.stride], pad, dataFormat: 'NHWC' };
  return {
    async run() {
      const y = tf.conv2d(x, f, c.stride, pad);
      const outs = [y];
      if (backward) {
        const dy = y; // any tensor of y's shape will do as the upstream gradient
        outs.push(
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: x.shape }) as Tensor4D,
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape }) as Tensor4D,
        );
      }
      for (const t of outs) await t.data();
      for (const t of outs) t.dispose();
    },
    async output() {
      const y = tf.conv2d(x, f, c.stride, pad);
      try {
        const [yn, yh, yw, yc] = y.shape;
        return nhwcToNchw(Float32Array.from(await y.data()), [yn, yh, yw, yc]);
      } finally {
        y.dispose();
      }
    },
    dispose() {
      x.dispose();
      f.dispose();
    },
  };
}
