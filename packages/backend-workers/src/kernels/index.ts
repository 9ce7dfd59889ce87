/** The parallel kernels by name: the table both the main thread (planning) and the workers (running) use. */
import { Conv2D } from './Conv2D.js';
import { Conv2DBackpropInput } from './Conv2DBackpropInput.js';
import { Conv2DBackpropFilter } from './Conv2DBackpropFilter.js';
import { Elementwise } from './Elementwise.js';
import { MatMul } from './MatMul.js';
import { Pool2D } from './Pool2D.js';
import { Pool2DBackward } from './Pool2DBackward.js';
import type { ParallelKernel } from './types.js';

// Each kernel's own argument and part types are erased here: the message channel carries them as structured clones.
// (ParallelKernel's members are methods, so a ParallelKernel<ConvArgs, ConvPart> is a ParallelKernel<unknown, unknown>.)
export const PARALLEL_KERNELS: Record<ParallelKernelName, ParallelKernel<unknown, unknown>> = {
  conv2d: Conv2D,
  conv2dBackwardInput: Conv2DBackpropInput,
  conv2dBackwardFilter: Conv2DBackpropFilter,
  matmul: MatMul,
  pool2d: Pool2D,
  pool2dBackward: Pool2DBackward,
  elementwise: Elementwise,
};

export type ParallelKernelName = 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardFilter' | 'matmul' | 'pool2d' | 'pool2dBackward' | 'elementwise';
