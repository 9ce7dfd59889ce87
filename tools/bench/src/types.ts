/**
 * The bench's two extension points. A workload says what to compute and how many flops / images that is; a backend
 * adapter turns a workload into a ready-to-time `Step`. New backends (workers, gpu, tfjs-wasm) are one file in
 * ./backends, new workloads (e.g. a full `mnist-step` through the tensor API) one file in ./workloads. Engines that run
 * outside this process (the PyTorch and ONNX Runtime anchors) time a workload themselves: they implement `anchor`.
 */
import type { nn } from '@cnn/core';
import type { Timing } from './measure.js';

/** A conv layer in PyTorch terms (NCHW input, OIHW weight), with symmetric zero padding. */
export interface ConvSpec {
  input: [number, number, number, number];
  weight: [number, number, number, number];
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
}

export type Workload =
  | { kind: 'conv'; name: string; description: string; conv: ConvSpec; backward: boolean; flops: number; images: number }
  // Reserved for workloads that drive the high-level tensor API (e.g. 'mnist-step'): adapters that can run them
  // implement `tensorApiStep`.
  | {
    kind: 'tensor-api'; name: string; description: string; flops: number; images: number;
    build: (backendName: string) => Promise<Step>;
    /** Caps on every engine's default runs / warm-ups for slow workloads (a ResNet training step); `--runs` overrides. */
    maxRuns?: number;
    maxWarmup?: number;
  };

/** One timed unit of work. `run` must not return before the work is finished (read results back if needed). */
export interface Step {
  run(): void | Promise<void>;
  /** Conv steps: one untimed forward, its output read back in NCHW order, for agreement checks across engines. */
  output?(): Promise<Float32Array>;
  dispose(): void | Promise<void>;
  /** Tensor-API steps of a model: the model, so `--profile` can attribute kernels to its layers. */
  model?: nn.Module;
}

/** What an anchor (an engine outside this process) reports for a workload: its timing, or why it did not run. */
export type AnchorResult = { status: 'ok'; timing: Timing; note?: string } | { status: 'skipped'; reason: string };

export interface AnchorOptions {
  runs: number;
  warmup: number;
  /** Intra-op threads (PyTorch's set_num_threads, ONNX Runtime's intraOpNumThreads). */
  threads: number;
}

export interface BenchAdapter {
  name: string;
  /** Default number of timed runs (slow reference backends use fewer). */
  defaultRuns: number;
  /** Default number of untimed warm-up runs. */
  defaultWarmup: number;
  convStep(conv: ConvSpec, backward: boolean): Promise<Step>;
  /** Backends of the cnn contract: the registry name to activate for tensor-API workloads. */
  cnnBackendName?: string;
  /** Imports what registers the backend (run before a tensor-API workload's `build`). */
  load?: () => Promise<unknown>;
  /** Anchors: times `workload` outside this process (PyTorch through Python, ONNX Runtime) and says so when the engine
   * is not installed; the bench then goes on. Adapters with `anchor` are never asked for `convStep`. */
  anchor?: (workload: Workload, opts: AnchorOptions) => Promise<AnchorResult>;
}
