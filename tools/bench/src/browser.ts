/**
 * The bench's browser-safe part: workloads, timing, the cnn-contract and TensorFlow.js steps, deterministic operands.
 * Nothing here imports node:* — apps/web's bench page (apps/web/src/bench) imports this file, so the page and
 * `pnpm bench` time the same workloads the same way. Node-only pieces (the CLIs, the tfjs-wasm file lookup) stay out.
 */
export type { BenchAdapter, ConvSpec, Step, Workload } from './types.js';
export { measure, type Timing } from './measure.js';
export { W1, convFlops, w1Fwd, w1FwdBwd } from './workloads/w1.js';
export { MNIST_BATCH, buildMnistStep, mnistNet, mnistStep } from './workloads/mnist-step.js';
export { mobilenetInfer, resnet18Infer } from './workloads/models.js';
export { CONV_SEEDS, contractAdapter } from './backends/contract.js';
export { tfjsConvStep } from './backends/tfjs-conv.js';
export { TFJS_TRAINING_KERNELS, missingTrainingKernels, tfjsMnistStep } from './backends/tfjs-mnist-step.js';
export { maxAbs, maxAbsDiff, nchwToNhwc, nhwcToNchw, oihwToHwio, randomArray } from './data.js';
export { BROWSER_ENGINES, BROWSER_WORKLOADS, DEFAULT_BROWSER_WORKLOADS, MODEL_WORKLOADS, ONNX_FILES } from './browser-results.js';
export type { BrowserBenchResults, BrowserBenchRow, BrowserEngine, BrowserWorkload } from './browser-results.js';
