/**
 * @cnn/core — tensors, autograd, the backend contract and registry, ops (`F`), layers (`nn`) and optimizers (`optim`).
 * Import a backend package (e.g. `import '@cnn/backend-cpu'`) to register a backend.
 */
// First: gives Tensor its operation methods (t.add, t.backward, ...) before any other module's code can run.
import './ops/install-methods.js';

export { Tensor, isTensor } from './tensor.js';
export type { BackwardOptions, GradFn, NestedArray, ShapeArgs, TensorMethods } from './tensor.js';
export { tidy, noGrad, memory, isGradEnabled, liveTensors, tensorMark, numCollectedTensors, collectGarbage, setMemoryOptions, getMemoryOptions } from './engine.js';
export type { MemoryInfo, TensorContainer, LiveTensor, LiveTensorGroup, LiveTensorsOptions, MemoryOptions } from './engine.js';
export { registerBackend, setBackend, getBackend, getBackendName, listBackends, findBackend, disposeBackend } from './backend/registry.js';
export type { BackendFactory } from './backend/registry.js';
export type * from './backend/contract.js';
export { KERNEL_NAMES } from './backend/contract.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, scalar, randn, rand, randint, arange } from './ops/create.js';
export type { TensorLike } from './ops/create.js';
export { manualSeed, Generator, globalGenerator } from './random.js';
export type { GeneratorState } from './random.js';
export { CnnError } from './errors.js';
export { UNARY_OPS, BINARY_OPS } from './elementwise.js';
export type { UnaryOpName, BinaryOpName, UnaryOpDef, BinaryOpDef } from './elementwise.js';
export { erf } from './math.js';
export { sizeOf, stridesOf, broadcastGeometry, broadcastShapes, collapseDims } from './geometry/broadcast.js';
export type { BroadcastGeometry } from './geometry/broadcast.js';
export { resolveConv2d, convOutSize, samePadding, backwardInputAsConv, CONV_PADDING_MODES } from './geometry/conv.js';
export type { Conv2dGeometry, Conv2dOptions, ResolvedConv2d, ConvPaddingMode } from './geometry/conv.js';
export { resolveConvTranspose2d, convTransposeOutSize, outputPaddingFor } from './geometry/conv-transpose.js';
export type { ConvTranspose2dOptions } from './geometry/conv-transpose.js';
export { resolveInterpolate, checkInterpolateOptions, nearestIndexMap, linearTaps, INTERPOLATE_MODES } from './geometry/interpolate.js';
export type { InterpolateGeometry, InterpolateMode, InterpolateOptions } from './geometry/interpolate.js';
export { resolvePool2d, resolveAdaptivePool2d, poolOutSize } from './geometry/pool.js';
export type { Pool2dGeometry, Pool2dOptions } from './geometry/pool.js';
export { padGeometry2d, padIndexMap, identityMap, rangeMap, PAD_MODES } from './geometry/gather.js';
export type { GatherGeometry, PadMode } from './geometry/gather.js';
export type { Pair } from './geometry/args.js';
export { resolveUnfold, resolveFold } from './geometry/unfold.js';
export type { UnfoldGeometry } from './geometry/unfold.js';
export { transposeGeometry } from './geometry/transpose.js';
export type { TransposeGeometry } from './geometry/transpose.js';
export { kernelOutput } from './geometry/kernel-output.js';
export type { KernelOutput } from './geometry/kernel-output.js';
export * from './geometry/inverse.js';
export * as F from './functional.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * from './profile.js';
