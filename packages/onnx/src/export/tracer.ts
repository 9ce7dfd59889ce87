/**
 * Records a forward pass at the backend-kernel level. Core resolves every hyper-parameter into plain numbers and
 * index tables before it calls a kernel, so the short list of kernels in the backend contract is all an exporter
 * has to translate, whatever forward code (Sequential, a model's own forward, F calls) produced the calls.
 *
 * The tracer wraps the methods of the backend instance the tensors live on (core's ops dispatch on `tensor.backend`,
 * not on the registry's active backend, so a wrapper backend would never be called) and restores them afterwards.
 * Every call still runs on the real backend; the tracer additionally maps it to ONNX nodes and remembers which
 * ONNX value each output DataId is. Disposals are deferred until the export has read what it needs, so no DataId
 * is freed (and reused) while the graph still refers to it.
 */
import { KERNEL_NAMES, kernelOutput, type Backend, type DataId, type DType, type TensorInfo, type TypedArray } from '@cnn/core';
import { GraphBuilder, onnxType } from './graph.js';
import { KERNEL_MAPPERS, type Mapped } from './kernels/index.js';

export interface Value {
  name: string;
  shape: readonly number[];
  dtype: DType;
}

interface PendingRead {
  name: string;
  dataId: DataId;
  dtype: DType;
}

type AnyFn = (...args: unknown[]) => unknown;

const TRACED = [...KERNEL_NAMES, 'fusedConv2d'] as const;

export class Tracer {
  readonly g: GraphBuilder;
  private readonly values = new Map<DataId, Value>();
  private readonly views = new Map<string, string>();
  private readonly written = new Map<DataId, TypedArray>();
  /** Data that existed before the trace but is no parameter (a cached tensor): read once the trace is done. */
  readonly pendingReads: PendingRead[] = [];
  private readonly deferred: DataId[] = [];
  private readonly saved = new Map<string, PropertyDescriptor | undefined>();
  private installed = false;

  constructor(readonly backend: Backend, opset: number) {
    this.g = new GraphBuilder(opset);
  }

  /** Declares what an existing DataId is in the graph (the input, a parameter's initializer). */
  define(dataId: DataId, value: Value): void {
    this.values.set(dataId, value);
  }

  lookup(dataId: DataId): Value | undefined {
    return this.values.get(dataId);
  }

  /** The ONNX value for a kernel operand, reshaped to the shape the kernel sees (core's reshape is a view that calls
   * no kernel, so one DataId is read under several shapes). */
  use(info: TensorInfo): string {
    const v = this.values.get(info.dataId) ?? this.adopt(info);
    if (v.shape.length === info.shape.length && v.shape.every((d, i) => d === info.shape[i])) return v.name;
    const key = `${v.name}|${info.shape.join(',')}`;
    let name = this.views.get(key);
    if (!name) {
      name = this.g.reshape(v.name, info.shape);
      this.views.set(key, name);
    }
    return name;
  }

  /** As `use`, converted to float32 (elementwise kernels read int32 operands as numbers). */
  useFloat(info: TensorInfo): string {
    const name = this.use(info);
    return info.dtype === 'int32' ? this.g.boolToFloat(name) : name;
  }

  /** Data the graph has not seen: a constant written during the trace, or one made before it. Both become
   * initializers of the shape the kernel reads them with. */
  private adopt(info: TensorInfo): Value {
    const name = this.g.fresh('const');
    const data = this.written.get(info.dataId);
    if (data) {
      this.g.initializer(name, info.shape, onnxType(info.dtype), info.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data));
    } else {
      this.g.initializer(name, info.shape, onnxType(info.dtype), null);
      this.pendingReads.push({ name, dataId: info.dataId, dtype: info.dtype });
    }
    const v = { name, shape: [...info.shape], dtype: info.dtype };
    this.values.set(info.dataId, v);
    return v;
  }

  /** Wraps the backend's kernels, `write` and `disposeData`. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    const b = this.backend as unknown as Record<string, AnyFn>;
    const wrap = (key: string, make: (orig: AnyFn) => AnyFn): void => {
      this.saved.set(key, Object.getOwnPropertyDescriptor(b, key));
      const orig = b[key];
      if (typeof orig !== 'function') return;
      Object.defineProperty(b, key, { value: make(orig.bind(b)), configurable: true, writable: true, enumerable: false });
    };
    wrap('write', (orig) => (values, dtype) => {
      const id = orig(values, dtype) as DataId;
      const v = values as TypedArray;
      this.written.set(id, dtype === 'int32' ? Int32Array.from(v, (x) => Math.trunc(x)) : Float32Array.from(v));
      return id;
    });
    wrap('disposeData', () => (id) => void this.deferred.push(id as DataId));
    for (const kernel of TRACED) {
      wrap(kernel, (orig) => (...args) => {
        const out = orig(...args) as DataId;
        this.record(kernel, args, out);
        return out;
      });
    }
  }

  /** Maps one kernel call; a call with no ONNX form becomes an `Unsupported` node (an error only if used). */
  private record(kernel: (typeof TRACED)[number], args: unknown[], out: DataId): void {
    const shape = outputOf(kernel, args);
    let mapped: Mapped;
    try {
      mapped = KERNEL_MAPPERS[kernel](this, ...(args as never[]));
    } catch (err) {
      mapped = { name: this.g.unsupported(`${kernel}: ${err instanceof Error ? err.message : String(err)}`) };
    }
    this.values.set(out, { name: mapped.name, shape: mapped.shape ?? shape.shape, dtype: shape.dtype });
  }

  /** Stops recording: restores every wrapped method but `disposeData`, which keeps deferring until `uninstall`, so
   * the data the export still reads stays alive. */
  stopRecording(): void {
    for (const key of [...this.saved.keys()]) if (key !== 'disposeData') this.restore(key);
  }

  /** Restores the backend's own methods and frees what was freed during the trace. */
  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const key of [...this.saved.keys()]) this.restore(key);
    for (const id of this.deferred.splice(0)) this.backend.disposeData(id);
  }

  private restore(key: string): void {
    const b = this.backend as unknown as Record<string, unknown>;
    const desc = this.saved.get(key);
    this.saved.delete(key);
    if (desc) Object.defineProperty(b, key, desc);
    else delete b[key];
  }
}

/** The kernel's output shape and dtype, from core's own table. */
function outputOf(kernel: (typeof TRACED)[number], args: unknown[]): { shape: number[]; dtype: DType } {
  const a = args as never[];
  switch (kernel) {
    case 'unary': return kernelOutput.unary(a[1]);
    case 'binary': return kernelOutput.binary(a[3]);
    case 'cast': return kernelOutput.cast(a[0], a[1]);
    case 'reduce': return kernelOutput.reduce(a[0], a[2]);
    case 'transpose': return kernelOutput.transpose(a[0], a[1]);
    case 'gather': return kernelOutput.gather(a[0], a[1]);
    case 'gatherBackward': return kernelOutput.gatherBackward(a[1]);
    case 'oneHot': return kernelOutput.oneHot(a[0], a[1]);
    case 'matmul': return kernelOutput.matmul(a[2]);
    case 'conv2d': return kernelOutput.conv2d(a[3]);
    case 'fusedConv2d': return kernelOutput.conv2d(a[4]);
    case 'conv2dBackwardInput': return kernelOutput.conv2dBackwardInput(a[2]);
    case 'conv2dBackwardFilter': return kernelOutput.conv2dBackwardFilter(a[2]);
    case 'pool2d': return kernelOutput.pool2d(a[1]);
    case 'pool2dBackward': return kernelOutput.pool2dBackward(a[2]);
  }
}
