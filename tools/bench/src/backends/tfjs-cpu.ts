/**
 * Reference point: TensorFlow.js's pure-JS CPU backend (NHWC). Forward is tf.conv2d 'same'; backward is the conv's
 * own gradient (tf.grads → Conv2DBackpropInput / Conv2DBackpropFilter). Its backward is very slow (minutes), hence
 * fewer default runs.
 */
import type { BenchAdapter, ConvSpec, Step } from '../types.js';

export const tfjsCpu: BenchAdapter = {
  name: 'tfjs-cpu',
  defaultRuns: 5,
  defaultWarmup: 1,
  async convStep(c: ConvSpec, backward: boolean): Promise<Step> {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    if (c.groups !== 1 || c.dilation !== 1) throw new Error('tfjs-cpu adapter: only groups = 1, dilation = 1 convs');
    const [n, ch, h, w] = c.input;
    const [o, , kH, kW] = c.weight;
    const x = tf.randomUniform([n, h, w, ch], -1, 1) as import('@tensorflow/tfjs-core').Tensor4D;
    const f = tf.randomUniform([kH, kW, ch, o], -1, 1) as import('@tensorflow/tfjs-core').Tensor4D;
    const pad = c.padding === (kH - 1) / 2 && c.stride === 1 ? 'same' : c.padding === 0 ? 'valid' : c.padding;
    const conv = (xi: typeof x, fi: typeof f) => tf.conv2d(xi, fi, c.stride, pad);
    const grads = tf.grads((xi: typeof x, fi: typeof f) => conv(xi, fi));
    return {
      async run() {
        if (!backward) {
          const y = conv(x, f);
          await y.data();
          y.dispose();
          return;
        }
        // tf.grads computes the forward (recorded on the tape) and both gradients with dy = ones.
        const [dx, df] = grads([x, f]);
        await dx.data();
        await df.data();
        dx.dispose();
        df.dispose();
      },
      dispose() {
        x.dispose();
        f.dispose();
      },
    };
  },
};
