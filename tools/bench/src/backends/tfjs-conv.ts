/**
 * The conv step both TensorFlow.js adapters time, on whichever tfjs backend is active. NHWC: forward is tf.conv2d;
 * backward runs the two kernels tf.conv2d's gradient is made of (Conv2DBackpropInput, Conv2DBackpropFilter) through
 * the engine, because tfjs-core's Node bundle ships without the gradient registry.
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { ConvSpec, Step } from '../types.js';

type Tf = typeof import('@tensorflow/tfjs-core');

export function tfjsConvStep(tf: Tf, adapter: string, c: ConvSpec, backward: boolean): Step {
  if (c.groups !== 1 || c.dilation !== 1) throw new Error(`${adapter} adapter: only groups = 1, dilation = 1 convs`);
  const [n, ch, h, w] = c.input;
  const [o, , kH, kW] = c.weight;
  const x: Tensor4D = tf.randomUniform([n, h, w, ch], -1, 1);
  const f: Tensor4D = tf.randomUniform([kH, kW, ch, o], -1, 1);
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
    dispose() {
      x.dispose();
      f.dispose();
    },
  };
}
