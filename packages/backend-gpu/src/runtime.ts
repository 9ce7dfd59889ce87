/**
 * The small runtime every gpu kernel runs on: GpuData (one float32 texture per tensor), the program cache (a kernel
 * source compiles once per output size and argument sizes), `run`, ownership (track / dispose, with the counters
 * `memory()` reports) and the index tables kernels upload. Kernels (./kernels/*) are functions of a GpuRuntime.
 */
import type { DataId, DType } from '@cnn/core';
import { nativeFunctions } from './glsl.js';
import type { GpuContext, GpuKernel, GpuKernelArg, GpuTexture } from './context.js';

/** The DataId of this backend: one texture (none for empty tensors), its element count and dtype. */
export class GpuData {
  /**
   * int32 only, when some value is not a float32 (|v| > 2^24): the texture holds float32(v), which every arithmetic
   * kernel reads, and `low` the exact remainder v − float32(v) (|remainder| ≤ 64), which the kernels that move int32
   * data (copy, transpose, gather) carry along and `read` adds back. One data block with its texture.
   */
  low: GpuData | null = null;

  constructor(
    public texture: GpuTexture | null,
    public readonly size: number,
    public readonly dtype: DType,
    /** RGBA texture holding 4 values per texel (intermediate results only, never handed to core). */
    public readonly vec4 = false,
    public disposed = false,
  ) {}
}

/** A kernel argument: a tensor, an uploaded table, or a number (a uniform). */
export type KernelArg = GpuData | Float32Array | number;

const MIN_ARRAY = 8; // arrays are padded so gpu.js never reads a short array as a vecN

/** Zeros standing in for an empty tensor argument: a kernel whose loops never read it still needs something bound. */
const EMPTY_STAND_IN = new Float32Array(MIN_ARRAY);

/**
 * Kernels index with float32 arithmetic (integer division is unreliable on some GL drivers), exact up to 2^24: a
 * larger tensor would be read and written at wrong places, so it is refused.
 */
const MAX_INDEXABLE = 1 << 24;

function checkIndexable(count: number): void {
  if (count > MAX_INDEXABLE) {
    throw new Error(`gpu backend: a tensor of ${count} elements is more than the ${MAX_INDEXABLE} (2^24) its kernels index exactly in float32; split the work or use the cpu backend`);
  }
}

/** A float copy at least MIN_ARRAY long (zeros after the values). */
function padded(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(Math.max(MIN_ARRAY, values.length));
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

export class GpuRuntime {
  private readonly programs = new Map<string, GpuKernel>();
  private readonly tables = new WeakMap<Int32Array, Float32Array>();
  numDataIds = 0;
  numBytes = 0;
  numTextures = 0;
  compiles = 0;
  compileMs = 0;
  private disposed = false;

  constructor(readonly ctx: GpuContext) {
    for (const f of nativeFunctions(ctx.mode)) ctx.gpu.addNativeFunction(f.name, f.source);
  }

  get numPrograms(): number {
    return this.programs.size;
  }

  /**
   * Runs the kernel `source` over `n` outputs (n texels of 4 values when `vec4`), compiling it on first use for these
   * argument sizes; the result is a new tracked GpuData of `dtype`.
   */
  run(source: string, n: number, args: readonly KernelArg[], dtype: DType = 'float32', vec4 = false): GpuData {
    if (this.disposed) throw new Error('gpu backend: used after dispose()');
    // A lost context runs nothing and reads back zeros: refuse, saying what happened, rather than compute garbage.
    this.ctx.assertUsable();
    if (n === 0) return this.empty(dtype);
    const values: GpuKernelArg[] = args.map((a) => {
      if (typeof a === 'number') return a;
      if (!(a instanceof GpuData)) return a.length < MIN_ARRAY ? padded(a) : a;
      if (a.disposed) throw new Error('gpu backend: DataId used after disposeData');
      checkIndexable(a.vec4 ? a.size / 4 : a.size);
      return a.texture ?? EMPTY_STAND_IN;
    });
    checkIndexable(n);
    const sig = values.map((v, i) => (typeof v === 'number' ? 'n' : v instanceof Float32Array ? `a${v.length}` : `${(args[i] as GpuData).vec4 ? 'v' : 't'}${(args[i] as GpuData).size}`));
    const key = `${vec4 ? 'v4|' : ''}${n}|${sig.join(',')}|${source}`;
    let program = this.programs.get(key);
    let texture: GpuTexture;
    if (!program) {
      program = this.ctx.gpu.createKernel(source, {
        output: [n],
        pipeline: true,
        immutable: true,
        tactic: 'precision',
        precision: 'single',
        dynamicOutput: false,
        loopMaxIterations: 1 << 30,
        ...(vec4 ? { returnType: 'Array(4)' as const } : {}),
      });
      this.programs.set(key, program);
      this.compiles++;
      const t0 = performance.now();
      texture = this.call(program, values);
      this.compileMs += performance.now() - t0;
    } else {
      texture = this.call(program, values);
    }
    return this.track(texture, vec4 ? 4 * n : n, dtype, vec4);
  }

  /** Runs a kernel; an error from a context lost meanwhile (e.g. a shader that no longer compiles) is reported as the loss. */
  private call(program: GpuKernel, values: GpuKernelArg[]): GpuTexture {
    try {
      return program(...values);
    } catch (err) {
      this.ctx.assertUsable();
      throw err;
    }
  }

  /** An empty tensor: no texture. */
  empty(dtype: DType): GpuData {
    return this.track(null, 0, dtype);
  }

  private track(texture: GpuTexture | null, size: number, dtype: DType, vec4 = false): GpuData {
    this.numDataIds++;
    this.numBytes += size * 4;
    if (texture) this.numTextures++;
    return new GpuData(texture, size, dtype, vec4);
  }

  /** The GpuData behind a DataId handed back by core. */
  data(id: DataId): GpuData {
    if (!(id instanceof GpuData)) throw new Error('gpu backend: DataId was not made by this backend');
    if (id.disposed) throw new Error('gpu backend: DataId used after disposeData');
    return id;
  }

  /** Deletes the texture (and the int32 remainder's); a second call is a no-op. */
  dispose(d: GpuData): void {
    if (d.disposed) return;
    if (d.low) {
      this.numDataIds++; // counted as part of d's block since withLow
      this.dispose(d.low);
      d.low = null;
    }
    d.disposed = true;
    this.numDataIds--;
    this.numBytes -= d.size * 4;
    if (d.texture) {
      d.texture.delete();
      d.texture = null;
      this.numTextures--;
    }
  }

  /** Disposes `temporaries` after `body` has used them, whether it returns or throws. */
  using<T>(temporaries: readonly (GpuData | null)[], body: () => T): T {
    try {
      return body();
    } finally {
      for (const t of temporaries) if (t) this.dispose(t);
    }
  }

  /** Gives int32 `out` the remainder `makeLow()` builds; the two are one data block from then on. */
  attachLow(out: GpuData, makeLow: () => GpuData): GpuData {
    let low: GpuData;
    try {
      low = makeLow();
    } catch (err) {
      this.dispose(out);
      throw err;
    }
    this.numDataIds--;
    out.low = low;
    return out;
  }

  /** `out`, given x's int32 remainder mapped by the same data movement (`move`): copy, transpose and gather. */
  withLow(out: GpuData, x: GpuData, move: (src: GpuData) => GpuData): GpuData {
    const low = x.low;
    if (!low || out.dtype !== 'int32' || out.size === 0) return out;
    return this.attachLow(out, () => move(low));
  }

  /** `n` copies of `value`. */
  fill(n: number, value: number, dtype: DType = 'float32'): GpuData {
    return this.run('function(v) { return v; }', n, [value], dtype);
  }

  /** A copy of x, relabelled `dtype` (an int32 remainder is copied along when the copy is int32). */
  copy(x: GpuData, dtype: DType): GpuData {
    const copyOf = (src: GpuData) => this.run('function(x) { return x[this.thread.x]; }', src.size, [src], dtype);
    return this.withLow(copyOf(x), x, copyOf);
  }

  /** A geometry's index table as floats to upload, converted once per table (geometry tables are never mutated). */
  table(values: Int32Array): Float32Array {
    let out = this.tables.get(values);
    if (!out) {
      out = padded(values);
      this.tables.set(values, out);
    }
    return out;
  }

  /** Forgets every program; later runs fail. The context itself is the backend's to destroy. */
  close(): void {
    this.disposed = true;
    this.programs.clear();
    this.numDataIds = 0;
    this.numBytes = 0;
    this.numTextures = 0;
  }
}
