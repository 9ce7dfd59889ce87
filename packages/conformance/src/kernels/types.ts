import type { Backend, DataId, DType, KernelName, KernelOutput, TensorInfo } from '@cnn/core';
import type { CaseRandom, Fill } from './values.js';

/** One operand of a kernel case: its values are drawn when the case runs (see CaseRandom.values). */
export interface KernelInput {
  shape: number[];
  dtype: DType;
  fill: Fill;
}

/** One kernel call with its geometry resolved, run on the backend under test and on the reference. */
export interface KernelCase {
  /** Kernel and everything that shaped the call (shapes, options, geometry), to read in a failure line. */
  name: string;
  /** A contract kernel, or an optional one ('fusedConv2d'). */
  kernel: KernelName | 'fusedConv2d';
  inputs: KernelInput[];
  /** Its output as core's `kernelOutput` states it. */
  output: KernelOutput;
  /** Calls the kernel on `backend` with the case's inputs written there, in the order of `inputs`. */
  call(backend: Backend, inputs: readonly TensorInfo[]): DataId;
}

/** Makes the cases of one kernel family; `rng` chooses geometries (inputs are drawn later, per case). */
export type CaseGenerator = (rng: CaseRandom) => KernelCase[];

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
