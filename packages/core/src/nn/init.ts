/** Parameter initialisation, as PyTorch's defaults, drawn from the seedable global generator. */
import { rand } from '../ops/create.js';
import type { Tensor } from '../tensor.js';

/**
 * PyTorch's default for Conv and Linear weights: kaiming_uniform_(a=√5), which is U(−1/√fanIn, 1/√fanIn);
 * biases use the same bound.
 */
export function kaimingUniformDefault(shape: readonly number[], fanIn: number): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return rand(shape, { low: -bound, high: bound });
}

/** Kaiming (He) uniform with ReLU gain: U(−√(6/fanIn), √(6/fanIn)), as torchvision's ResNet uses (fan_out mode aside). */
export function kaimingUniform(shape: readonly number[], fan: number, gain = Math.SQRT2): Tensor {
  const bound = gain * Math.sqrt(3 / fan);
  return rand(shape, { low: -bound, high: bound });
}
