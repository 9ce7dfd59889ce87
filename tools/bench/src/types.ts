/**
 * The bench's two extension points. A workload says what to compute and how many flops / images that is; a backend
 * adapter turns a workload into a ready-to-time `Step`. New backends (workers, gpu, tfjs-wasm) are one file in
 * ./backends, new workloads (e.g. a full `mnist-step` through the tensor API) one file in ./workloads.
 */

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
  | { kind: 'tensor-api'; name: string; description: string; flops: number; images: number; build: (backendName: string) => Promise<Step> };

/** One timed unit of work. `run` must not return before the work is finished (read results back if needed). */
export interface Step {
  run(): void | Promise<void>;
  /** Conv steps: one untimed forward, its output read back in NCHW order, for agreement checks across engines. */
  output?(): Promise<Float32Array>;
  dispose(): void | Promise<void>;
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
}
