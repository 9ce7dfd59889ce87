/**
 * The mnist-step workload (./../workloads/mnist-step.ts) written with TensorFlow.js ops, for tfjs backends that have
 * the gradient kernels: the same network in NHWC (conv 1→32 3×3, relu, conv 32→64 3×3, relu, max-pool 2, dropout
 * 0.25, flatten, dense 9216→128, relu, dropout 0.5, dense 128→10), softmax cross-entropy on a batch of 64, gradients
 * of every variable, Adam (lr 1e-3) — what `optimizer.minimize` does. Browser-safe.
 *
 * Gradients need `@tensorflow/tfjs-core/dist/register_all_gradients` imported once (the core entry registers none).
 */
import type { Rank, Scalar, Tensor1D, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { MNIST_BATCH } from '../workloads/mnist-step.js';
import type { Step } from '../types.js';

type Tf = typeof import('@tensorflow/tfjs-core');

/** Backward kernels the step needs that a tfjs backend may lack (tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter
 * and no MaxPoolGrad). Elementwise and matmul gradients are made of forward kernels every backend has. */
export const TFJS_TRAINING_KERNELS = ['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPoolGrad'] as const;

/** The kernels of TFJS_TRAINING_KERNELS the active (or named) tfjs backend does not register. */
export function missingTrainingKernels(tf: Tf, backendName = tf.getBackend()): string[] {
  return TFJS_TRAINING_KERNELS.filter((k) => !tf.getKernel(k, backendName));
}

export function tfjsMnistStep(tf: Tf, adapter: string): Step {
  const missing = missingTrainingKernels(tf);
  if (missing.length) throw new Error(`${adapter}: no backward kernels (${missing.join(', ')}) in tfjs backend '${tf.getBackend()}'`);
  const B = MNIST_BATCH;
  // PyTorch's default init scale (uniform ±1/√fan_in) for weights and biases: the numbers stay in the same range.
  const param = (shape: number[], fanIn: number): Variable<Rank> => {
    const b = 1 / Math.sqrt(fanIn);
    return tf.variable(tf.randomUniform(shape, -b, b, 'float32', 1));
  };
  const w1 = param([3, 3, 1, 32], 9), b1 = param([32], 9);
  const w2 = param([3, 3, 32, 64], 288), b2 = param([64], 288);
  const w3 = param([9216, 128], 9216), b3 = param([128], 9216);
  const w4 = param([128, 10], 128), b4 = param([10], 128);
  const vars = [w1, b1, w2, b2, w3, b3, w4, b4];
  const x: Tensor4D = tf.randomNormal([B, 28, 28, 1], 0, 1, 'float32', 2);
  const labels = tf.tidy(() => tf.cast(tf.oneHot(tf.randomUniform([B], 0, 10, 'int32', 3) as Tensor1D, 10), 'float32')) as Tensor2D;
  const opt = tf.train.adam(1e-3);
  // tfjs's op typings lose the rank through add/dropout; the casts restore what the shapes are.
  const loss = (): Scalar => {
    let h = tf.relu(tf.add(tf.conv2d(x, w1 as Tensor4D, 1, 'valid'), b1)) as Tensor4D;
    h = tf.relu(tf.add(tf.conv2d(h, w2 as Tensor4D, 1, 'valid'), b2)) as Tensor4D;
    h = tf.dropout(tf.maxPool(h, 2, 2, 'valid'), 0.25) as Tensor4D;
    let z: Tensor2D = tf.reshape(h, [B, 9216]);
    z = tf.dropout(tf.relu(tf.add(tf.matMul(z, w3 as Tensor2D), b3)), 0.5) as Tensor2D;
    const logits = tf.add(tf.matMul(z, w4 as Tensor2D), b4) as Tensor2D;
    return tf.losses.softmaxCrossEntropy(labels, logits) as Scalar;
  };
  return {
    async run() {
      const cost = opt.minimize(loss, true, vars);
      if (!cost) throw new Error(`${adapter}: optimizer.minimize returned no loss`);
      await cost.data();
      // Backends run in program order: the last variable's update being readable means the whole step finished.
      await vars[vars.length - 1].data();
      cost.dispose();
    },
    dispose() {
      opt.dispose();
      for (const t of [...vars, x, labels]) t.dispose();
    },
  };
}
