/** Every traced kernel and its ONNX mapping. Gradient kernels have none: an eval forward never calls them. */
import type { KernelName } from '@cnn/core';
import type { Tracer } from '../tracer.js';
import { mapConv2d, mapConv2dBackwardInput, mapFusedConv2d } from './conv.js';
import { mapBinary, mapCast, mapUnary } from './elementwise.js';
import { mapGather } from './gather.js';
import { mapOneHot, mapReduce, mapTranspose } from './layout.js';
import { mapMatmul } from './matmul.js';
import { mapPool2d } from './pool.js';

/** A kernel's output in the graph; `shape` when it differs from the kernel's declared output shape (same size). */
export interface Mapped {
  name: string;
  shape?: readonly number[];
}

type Mapper = (t: Tracer, ...args: never[]) => Mapped;

function gradientOnly(kernel: string): Mapper {
  return () => {
    throw new Error(`the gradient kernel '${kernel}' has no ONNX form (export traces an eval-mode forward)`);
  };
}

export const KERNEL_MAPPERS: Record<KernelName | 'fusedConv2d', Mapper> = {
  unary: mapUnary,
  binary: mapBinary,
  cast: mapCast,
  reduce: mapReduce,
  transpose: mapTranspose,
  gather: mapGather,
  gatherBackward: gradientOnly('gatherBackward'),
  oneHot: mapOneHot,
  matmul: mapMatmul,
  conv2d: mapConv2d,
  fusedConv2d: mapFusedConv2d,
  conv2dBackwardInput: mapConv2dBackwardInput,
  conv2dBackwardFilter: gradientOnly('conv2dBackwardFilter'),
  pool2d: mapPool2d,
  pool2dBackward: gradientOnly('pool2dBackward'),
};

/** The kernels export translates (for documentation and reports). */
export const EXPORTED_KERNELS = Object.keys(KERNEL_MAPPERS).filter((k) => !k.endsWith('Backward') && k !== 'conv2dBackwardFilter' && k !== 'gatherBackward');
