/**
 * The GPU backend: every tensor is one float32 texture (gpu.js pipeline mode, `immutable: true`), computed by kernels
 * generated from the op's geometry and compiled once per (kernel, shapes, attributes). Data leaves the GPU only in
 * `read`. See the README for the kernel design.
 */
import {
  BINARY_OPS, UNARY_OPS,
  type Backend, type BackendMemoryInfo, type BinaryOpName, type BroadcastGeometry, type Conv2dGeometry, type DataId,
  type DType, type GatherGeometry, type MatMulGeometry, type Pool2dGeometry, type ReduceGeometry, type ReduceOpName,
  type TensorInfo, type TypedArray, type UnaryOpName,
} from '@cnn/core';
import { contiguousStrides, offsets, Src, sumLoop, sumLoop4, sumLoop4x4 } from './codegen.js';
import { NATIVE_FUNCTIONS, translateExpr } from './glsl.js';
import type { GpuContext } from './context.js';

/** What gpu.js returns from a pipeline kernel: a texture handle that must be deleted. */
interface Texture {
  delete(): void;
  toArray(): Float32Array;
}

/** The DataId of this backend: one texture (none for empty tensors), its element count and dtype. */
export class GpuData {
  constructor(
    public texture: Texture | null,
    public readonly size: number,
    public readonly dtype: DType,
    /** RGBA texture holding 4 values per texel (intermediate results only, never handed to core). */
    public readonly vec4 = false,
    public disposed = false,
  ) {}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kernel = (...args: any[]) => Texture;
type Arg = GpuData | Float32Array | number;

const MIN_ARRAY = 8; // index tables are padded so gpu.js never reads a short array as a vecN

function table(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(Math.max(MIN_ARRAY, values.length));
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** For each input position p, the outputs o with `idx[o * win + t] === p` for some t, padded with -1. */
function invertWindows(idx: Int32Array, outCount: number, win: number, inSize: number): { tab: Float32Array; width: number } {
  const lists: number[][] = Array.from({ length: inSize }, () => []);
  for (let o = 0; o < outCount; o++) {
    for (let t = 0; t < win; t++) {
      const p = idx[o * win + t];
      if (p >= 0 && p < inSize && lists[p][lists[p].length - 1] !== o) lists[p].push(o);
    }
  }
  const width = Math.max(1, ...lists.map((l) => l.length));
  const tab = new Float32Array(Math.max(MIN_ARRAY, inSize * width)).fill(-1);
  lists.forEach((l, p) => l.forEach((o, s) => (tab[p * width + s] = o)));
  return { tab, width };
}

export interface GpuBackendOptions {
  ctx: GpuContext;
}

export class GpuBackend implements Backend {
  readonly name = 'gpu';
  private readonly ctx: GpuContext;
  private readonly kernels = new Map<string, Kernel>();
  private numDataIds = 0;
  private numBytes = 0;
  private numTextures = 0;
  private compiles = 0;
  private compileMs = 0;
  private disposed = false;

  constructor(ctx: GpuContext) {
    this.ctx = ctx;
    for (const f of NATIVE_FUNCTIONS) ctx.gpu.addNativeFunction(f.name, f.source);
  }

  // ---- kernel cache -----------------------------------------------------------------------------
  /** Runs the kernel `source` with output size `n`, compiling it on first use for these argument sizes. */
  private run(source: string, n: number, args: Arg[], dtype: DType = 'float32', vec4 = false): GpuData {
    if (this.disposed) throw new Error('gpu backend: used after dispose()');
    if (n === 0) return this.track(null, 0, dtype);
    const values = args.map((a) => {
      if (a instanceof GpuData) {
        if (a.disposed) throw new Error('gpu backend: DataId used after disposeData');
        if (!a.texture) throw new Error('gpu backend: empty tensor passed to a kernel that reads it');
        return a.texture;
      }
      return a;
    });
    const key = `${vec4 ? 'v4|' : ''}${n}|${args.map((a) => (a instanceof GpuData ? `${a.vec4 ? 'v' : 't'}${a.size}` : typeof a === 'number' ? 'n' : `a${a.length}`)).join(',')}|${source}`;
    let k = this.kernels.get(key);
    if (!k) {
      k = this.ctx.gpu.createKernel(source, {
        output: [n],
        pipeline: true,
        immutable: true,
        tactic: 'precision',
        precision: 'single',
        dynamicOutput: false,
        loopMaxIterations: 1 << 30,
        ...(vec4 ? { returnType: 'Array(4)' } : {}),
      }) as Kernel;
      this.kernels.set(key, k);
      this.compiles++;
      const t0 = performance.now();
      const tex = k(...values);
      this.compileMs += performance.now() - t0;
      return this.track(tex, vec4 ? 4 * n : n, dtype, vec4);
    }
    const tex = k(...values);
    return this.track(tex, vec4 ? 4 * n : n, dtype, vec4);
  }

  private track(texture: Texture | null, size: number, dtype: DType, vec4 = false): GpuData {
    this.numDataIds++;
    this.numBytes += size * 4;
    if (texture) this.numTextures++;
    return new GpuData(texture, size, dtype, vec4);
  }

  private data(id: DataId): GpuData {
    if (!(id instanceof GpuData)) throw new Error('gpu backend: DataId was not made by this backend');
    if (id.disposed) throw new Error('gpu backend: DataId used after disposeData');
    return id;
  }

  private fill(n: number, value: number, dtype: DType = 'float32'): GpuData {
    return this.run('function(v) { return v; }', n, [value], dtype);
  }

  private copy(x: GpuData, dtype: DType): GpuData {
    if (x.size === 0) return this.track(null, 0, dtype);
    return this.run('function(x) { return x[this.thread.x]; }', x.size, [x], dtype);
  }

  // ---- memory -------------------------------------------------------------------------------------
  write(values: TypedArray, _shape: readonly number[], dtype: DType): DataId {
    const n = values.length;
    if (n === 0) return this.track(null, 0, dtype);
    const f = dtype === 'int32' ? Float32Array.from(values, Math.trunc) : Float32Array.from(values);
    return this.run('function(v) { return v[this.thread.x]; }', n, [f.length < MIN_ARRAY ? table(f) : f], dtype);
  }

  async read(dataId: DataId): Promise<TypedArray> {
    return this.readNow(this.data(dataId));
  }

  private readNow(d: GpuData): TypedArray {
    const raw = d.texture ? d.texture.toArray() : new Float32Array(0);
    if (d.dtype === 'int32') {
      const out = new Int32Array(d.size);
      for (let i = 0; i < d.size; i++) out[i] = Math.round(raw[i]);
      return out;
    }
    return Float32Array.from(raw.subarray(0, d.size));
  }

  disposeData(dataId: DataId): void {
    if (!(dataId instanceof GpuData) || dataId.disposed) return;
    dataId.disposed = true;
    this.numDataIds--;
    this.numBytes -= dataId.size * 4;
    if (dataId.texture) {
      dataId.texture.delete();
      dataId.texture = null;
      this.numTextures--;
    }
  }

  memory(): BackendMemoryInfo {
    return {
      numDataIds: this.numDataIds,
      numBytes: this.numBytes,
      numTextures: this.numTextures,
      glTextures: this.ctx.glTextures(),
      numKernels: this.kernels.size,
    };
  }

  info(): Record<string, string | number | boolean> {
    return {
      name: this.name,
      mode: this.ctx.mode,
      renderer: this.ctx.renderer,
      vendor: this.ctx.vendor,
      glVersion: this.ctx.version,
      maxTextureSize: this.ctx.maxTextureSize,
      precision: 'single (float32 textures)',
      kernelsCompiled: this.compiles,
      compileMs: Math.round(this.compileMs),
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.kernels.clear();
    this.numDataIds = 0;
    this.numBytes = 0;
    this.numTextures = 0;
    await this.ctx.destroy();
  }

  // ---- elementwise -------------------------------------------------------------------------------
  unary(op: UnaryOpName, x: TensorInfo, params: readonly number[]): DataId {
    const xd = this.data(x.dataId);
    const def = UNARY_OPS[op];
    if (!def) throw new Error(`gpu backend: unknown unary op '${op}'`);
    const expr = translateExpr(def.expr);
    const src = `function(xs, p0, p1) {\nlet x = xs[this.thread.x];\nreturn ${expr};\n}`;
    return this.run(src, xd.size, [xd, params[0] ?? 0, params[1] ?? 0]);
  }

  binary(op: BinaryOpName, a: TensorInfo, b: TensorInfo, geo: BroadcastGeometry, params: readonly number[]): DataId {
    const ad = this.data(a.dataId);
    const bd = this.data(b.dataId);
    const def = BINARY_OPS[op];
    if (!def) throw new Error(`gpu backend: unknown binary op '${op}'`);
    const n = geo.outShape.reduce((p, q) => p * q, 1);
    if (n === 0) return this.track(null, 0, 'float32');
    const s = new Src();
    const [oa, ob] = offsets(s, geo.outShape, [geo.aStrides, geo.bStrides]);
    s.add(`let a = as[${oa}];`).add(`let b = bs[${ob}];`);
    return this.run(s.kernel(['as', 'bs', 'p0', 'p1'], translateExpr(def.expr)), n, [ad, bd, params[0] ?? 0, params[1] ?? 0]);
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    const xd = this.data(x.dataId);
    if (dtype === 'float32' || xd.dtype === 'int32') return this.copy(xd, dtype);
    if (xd.size === 0) return this.track(null, 0, dtype);
    return this.run('function(x) { let v = x[this.thread.x]; return v >= 0 ? Math.floor(v) : Math.ceil(v); }', xd.size, [xd], 'int32');
  }

  // ---- reductions and layout -----------------------------------------------------------------------
  reduce(op: ReduceOpName, x: TensorInfo, geo: ReduceGeometry): DataId {
    const xd = this.data(x.dataId);
    const { outer, reduce: r, inner } = geo;
    const n = outer * inner;
    const isArg = op === 'argmax' || op === 'argmin';
    const dtype: DType = isArg ? 'int32' : 'float32';
    if (n === 0) return this.track(null, 0, dtype);
    if (r === 0) return this.fill(n, op === 'sum' || isArg ? 0 : op === 'max' ? -Infinity : Infinity, dtype);
    // Long reductions feeding few outputs run in two passes (chunks, then the chunk results): more parallel work per
    // pass and, for sums, smaller rounding error.
    if (!isArg && r > 2048 && n < 4096) {
      const chunk = Math.ceil(Math.sqrt(r));
      const nChunks = Math.ceil(r / chunk);
      const partial = this.reducePass(op, xd, outer, r, inner, chunk, nChunks);
      const result = this.reducePass(op, partial, outer, nChunks, inner, nChunks, 1);
      this.disposeData(partial);
      return result;
    }
    return this.reducePass(op, xd, outer, r, inner, r, 1);
  }

  /** Output `[outer, nChunks, inner]`: op over elements [c·chunk, min((c+1)·chunk, r)) of the reduced axis. */
  private reducePass(op: ReduceOpName, xd: GpuData, outer: number, r: number, inner: number, chunk: number, nChunks: number): GpuData {
    const isArg = op === 'argmax' || op === 'argmin';
    const s = new Src();
    const [oc, j] = s.divmod('i', inner);
    const [o, c] = s.divmod(oc, nChunks);
    const base = s.let('base', `${o} * ${r * inner} + ${c} * ${chunk * inner} + ${j}`);
    const ragged = nChunks * chunk !== r;
    const limit = ragged ? s.let('lim', `${r} - ${c} * ${chunk}`) : '';
    if (op === 'sum') {
      s.add('let acc = 0;');
      if (ragged) {
        const t = s.v('t');
        s.add(`for (let ${t} = 0; ${t} < ${chunk}; ${t}++) { if (${t} < ${limit}) { acc += x[${base} + ${t} * ${inner}]; } }`);
      } else {
        sumLoop(s, 'acc', chunk, (k) => `x[${base} + ${k} * ${inner}]`);
      }
      return this.run(s.kernel(['x'], 'acc'), outer * nChunks * inner, [xd]);
    }
    const better = op === 'max' || op === 'argmax' ? '>' : '<';
    s.add(`let best = x[${base}];`).add('let arg = 0;');
    const t = s.v('t');
    const guard = ragged ? ` && ${t} < ${limit}` : '';
    s.add(`for (let ${t} = 1; ${t} < ${chunk}; ${t}++) { let v = x[${base} + ${t} * ${inner}]; if (v ${better} best${guard}) { best = v; arg = ${t}; } }`);
    return this.run(s.kernel(['x'], isArg ? 'arg' : 'best'), outer * nChunks * inner, [xd], isArg ? 'int32' : 'float32');
  }

  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    const xd = this.data(x.dataId);
    const inStrides = contiguousStrides(x.shape);
    const outShape = perm.map((p) => x.shape[p]);
    if (xd.size === 0) return this.track(null, 0, xd.dtype);
    const s = new Src();
    const [off] = offsets(s, outShape, [perm.map((p) => inStrides[p])]);
    return this.run(s.kernel(['x'], `x[${off}]`), xd.size, [xd], xd.dtype);
  }

  gather(x: TensorInfo, geo: GatherGeometry, value: number): DataId {
    const xd = this.data(x.dataId);
    const { outer, inH, inW, outH, outW } = geo;
    const n = outer * outH * outW;
    if (n === 0) return this.track(null, 0, xd.dtype);
    if (xd.size === 0) return this.fill(n, value, xd.dtype);
    const s = new Src();
    const [oi, jj] = s.divmod('i', outW);
    const [o, ii] = s.divmod(oi, outH);
    s.add(`let r = rows[${ii}];`).add(`let c = cols[${jj}];`);
    s.add('let v = fillValue;');
    s.add(`if (r >= 0 && c >= 0) { v = x[${o} * ${inH * inW} + r * ${inW} + c]; }`);
    return this.run(s.kernel(['x', 'rows', 'cols', 'fillValue'], 'v'), n, [xd, table(geo.rows), table(geo.cols), value], xd.dtype);
  }

  gatherBackward(dy: TensorInfo, geo: GatherGeometry): DataId {
    const dd = this.data(dy.dataId);
    const { outer, inH, inW, outH, outW } = geo;
    const n = outer * inH * inW;
    if (n === 0) return this.track(null, 0, 'float32');
    if (dd.size === 0) return this.fill(n, 0);
    const ir = invertWindows(geo.rows, outH, 1, inH);
    const ic = invertWindows(geo.cols, outW, 1, inW);
    const s = new Src();
    const [oi, c] = s.divmod('i', inW);
    const [o, r] = s.divmod(oi, inH);
    s.add('let acc = 0;');
    s.add(`for (let a = 0; a < ${ir.width}; a++) { let oh = irows[${r} * ${ir.width} + a]; if (oh >= 0) {`);
    s.add(`for (let b = 0; b < ${ic.width}; b++) { let ow = icols[${c} * ${ic.width} + b]; if (ow >= 0) { acc += dy[${o} * ${outH * outW} + oh * ${outW} + ow]; } }`);
    s.add('} }');
    return this.run(s.kernel(['dy', 'irows', 'icols'], 'acc'), n, [dd, ir.tab, ic.tab]);
  }

  oneHot(indices: TensorInfo, depth: number): DataId {
    const xd = this.data(indices.dataId);
    const n = xd.size * depth;
    if (n === 0) return this.track(null, 0, 'float32');
    const s = new Src();
    const [row, c] = s.divmod('i', depth);
    s.add(`let v = idx[${row}];`);
    return this.run(s.kernel(['idx'], `v == ${c} ? 1 : 0`), n, [xd]);
  }

  // ---- linear algebra and convolution ---------------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, geo: MatMulGeometry): DataId {
    const ad = this.data(a.dataId);
    const bd = this.data(b.dataId);
    const { batch, m, n, k, transA, transB, broadcastA, broadcastB } = geo;
    const size = batch * m * n;
    if (size === 0) return this.track(null, 0, 'float32');
    if (k === 0) return this.fill(size, 0);
    if (n % 4 === 0) return this.matmulPacked(ad, bd, geo);
    const s = new Src();
    const [bm, col] = s.divmod('i', n);
    const [bi, row] = s.divmod(bm, m);
    const aBase = s.let('ab', `${broadcastA ? '0' : `${bi} * ${m * k}`} + ${row} * ${transA ? 1 : k}`);
    const bBase = s.let('bb', `${broadcastB ? '0' : `${bi} * ${k * n}`} + ${col} * ${transB ? k : 1}`);
    const aStep = transA ? m : 1;
    const bStep = transB ? 1 : n;
    s.add('let acc = 0;');
    sumLoop(s, 'acc', k, (kk) => `A[${aBase} + ${kk} * ${aStep}] * B[${bBase} + ${kk} * ${bStep}]`);
    return this.run(s.kernel(['A', 'B'], 'acc'), size, [ad, bd]);
  }

  /**
   * Matmul with a 1×4 register tile: B is packed into an RGBA texture (4 adjacent columns per texel, [batch, k, n/4]),
   * each invocation computes 4 adjacent outputs of one row (every A fetch feeds 4 multiply-adds, every B fetch brings 4
   * values), with the same 64-term blocked sums; then an unpack pass writes the row-major result.
   */
  private matmulPacked(ad: GpuData, bd: GpuData, geo: MatMulGeometry): GpuData {
    const { batch, m, n, k, transA, transB, broadcastA, broadcastB } = geo;
    const N4 = n / 4;
    const bBatch = broadcastB ? 1 : batch;
    // pack: texel (bi, kk, c4) holds B[bi, kk, 4·c4 + 0..3]
    const ps = new Src();
    const [bk, c4] = ps.divmod('i', N4);
    const [pbi, pkk] = bBatch === 1 ? [ps.zero(), bk] : ps.divmod(bk, k);
    const pb = ps.let('pb', `${pbi} * ${k * n} + ${transB ? `${c4} * ${4 * k} + ${pkk}` : `${pkk} * ${n} + ${c4} * 4`}`);
    const st = transB ? k : 1;
    const packed = this.run(ps.kernel(['B'], `[B[${pb}], B[${pb} + ${st}], B[${pb} + ${2 * st}], B[${pb} + ${3 * st}]]`), bBatch * k * N4, [bd], 'float32', true);
    const s = new Src();
    const [bm, col4] = s.divmod('i', N4);
    const [bi, row] = s.divmod(bm, m);
    const aBase = s.let('ab', `${broadcastA ? '0' : `${bi} * ${m * k}`} + ${row} * ${transA ? 1 : k}`);
    const bBase = s.let('bb', `${broadcastB ? '0' : `${bi} * ${k * N4}`} + ${col4}`);
    const aStep = transA ? m : 1;
    s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
    let aPacked: GpuData | null = null;
    if (k % 4 === 0) {
      // 4×4 step: A also packed, 4 consecutive k per texel ([batch, m, k/4])
      const K4 = k / 4;
      const aBatch = broadcastA ? 1 : batch;
      const qs = new Src();
      const [qbm, qk4] = qs.divmod('i', K4);
      const [qbi, qrow] = aBatch === 1 ? [qs.zero(), qbm] : qs.divmod(qbm, m);
      const qb = qs.let('qb', `${qbi} * ${m * k} + ${qrow} * ${transA ? 1 : k} + ${qk4} * ${4 * aStep}`);
      try {
        aPacked = this.run(qs.kernel(['A'], `[A[${qb}], A[${qb} + ${aStep}], A[${qb} + ${2 * aStep}], A[${qb} + ${3 * aStep}]]`), aBatch * m * K4, [ad], 'float32', true);
      } catch (err) {
        this.disposeData(packed);
        throw err;
      }
      const a4Base = s.let('a4b', `${broadcastA ? '0' : `${bi} * ${m * K4}`} + ${row} * ${K4}`);
      sumLoop4x4(s, ['a0', 'a1', 'a2', 'a3'], K4, (k4, sv, vs) =>
        `let ${sv} = AP[${a4Base} + ${k4}]; ${vs.map((v, j) => `let ${v} = BP[${bBase} + (${k4} * 4 + ${j}) * ${N4}];`).join(' ')}`);
    } else {
      sumLoop4(s, ['a0', 'a1', 'a2', 'a3'], k, (kk, sv, vv) => `let ${sv} = A[${aBase} + ${kk} * ${aStep}]; let ${vv} = BP[${bBase} + ${kk} * ${N4}];`);
    }
    let tile: GpuData;
    try {
      tile = aPacked
        ? this.run(s.kernel(['AP', 'BP'], '[a0, a1, a2, a3]'), batch * m * N4, [aPacked, packed], 'float32', true)
        : this.run(s.kernel(['A', 'BP'], '[a0, a1, a2, a3]'), batch * m * N4, [ad, packed], 'float32', true);
    } finally {
      this.disposeData(packed);
      if (aPacked) this.disposeData(aPacked);
    }
    return this.unpack4(tile, batch * m, n, 1);
  }

  conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, geo: Conv2dGeometry): DataId {
    const xd = this.data(x.dataId);
    const wd = this.data(w.dataId);
    const g = geo;
    const n = g.batch * g.outChannels * g.outH * g.outW;
    if (n === 0) return this.track(null, 0, 'float32');
    if (g.outChannelsPerGroup % 4 === 0) return this.conv2dPacked(xd, wd, bias ? this.data(bias.dataId) : null, g);
    const cpg = g.inChannelsPerGroup;
    const s = new Src();
    const [nbo, ohw] = s.divmod('i', g.outH * g.outW);
    const [oh, ow] = s.divmod(ohw, g.outW);
    const [nb, o] = s.divmod(nbo, g.outChannels);
    const grp = g.groups === 1 ? s.zero() : s.divmod(o, g.outChannelsPerGroup, true)[0];
    const xBase = s.let('xb', `(${nb} * ${g.inChannels} + ${grp} * ${cpg}) * ${g.inH * g.inW}`);
    const wBase = s.let('wb', `${o} * ${cpg * g.kH * g.kW}`);
    const ih0 = s.let('ih0', `${oh} * ${g.strideH} - ${g.padTop}`);
    const iw0 = s.let('iw0', `${ow} * ${g.strideW} - ${g.padLeft}`);
    s.add(bias ? `let acc = bias[${o}];` : 'let acc = 0;');
    s.add(`for (let kh = 0; kh < ${g.kH}; kh++) { let ih = ${ih0} + kh * ${g.dilationH}; if (ih >= 0 && ih < ${g.inH}) {`);
    s.add(`for (let kw = 0; kw < ${g.kW}; kw++) { let iw = ${iw0} + kw * ${g.dilationW}; if (iw >= 0 && iw < ${g.inW}) {`);
    s.add(`let xo = ${xBase} + ih * ${g.inW} + iw; let wo = ${wBase} + kh * ${g.kW} + kw; let part = 0;`);
    sumLoop(s, 'part', cpg, (c) => `X[xo + ${c} * ${g.inH * g.inW}] * W[wo + ${c} * ${g.kH * g.kW}]`);
    s.add('acc += part; } } } }');
    const args: Arg[] = [xd, wd];
    if (bias) args.push(this.data(bias.dataId));
    return this.run(s.kernel(bias ? ['X', 'W', 'bias'] : ['X', 'W'], 'acc'), n, args);
  }

  /**
   * Implicit GEMM with a 4-channel register tile: weights are first packed into an RGBA texture (4 output channels per
   * texel, [O/4, C/g·kH·kW]); each shader invocation then computes 4 output channels of one output pixel, so every
   * input value it fetches feeds 4 multiply-adds and every weight fetch brings 4 weights. A last pass unpacks the
   * RGBA result into the NCHW layout.
   */
  private conv2dPacked(xd: GpuData, wd: GpuData, bd: GpuData | null, g: Conv2dGeometry): GpuData {
    const cpg = g.inChannelsPerGroup;
    const K = cpg * g.kH * g.kW;
    const O4 = g.outChannels / 4;
    const P = g.outH * g.outW;
    // pack: texel j = og·K + kk holds w[4·og + 0..3, kk]
    const ps = new Src();
    const [og, kk] = ps.divmod('i', K);
    const wb = ps.let('wb', `${og} * ${4 * K} + ${kk}`);
    const packed = this.run(ps.kernel(['W'], `[W[${wb}], W[${wb} + ${K}], W[${wb} + ${2 * K}], W[${wb} + ${3 * K}]]`), O4 * K, [wd], 'float32', true);
    const s = new Src();
    const [nbo, ohw] = s.divmod('i', P);
    const [oh, ow] = s.divmod(ohw, g.outW);
    const [nb, o4] = s.divmod(nbo, O4);
    const grp = g.groups === 1 ? s.zero() : s.divmod(o4, g.outChannelsPerGroup / 4, true)[0];
    const xBase = s.let('xb', `(${nb} * ${g.inChannels} + ${grp} * ${cpg}) * ${g.inH * g.inW}`);
    const wBase = s.let('wb', `${o4} * ${K}`);
    const ih0 = s.let('ih0', `${oh} * ${g.strideH} - ${g.padTop}`);
    const iw0 = s.let('iw0', `${ow} * ${g.strideW} - ${g.padLeft}`);
    if (bd) s.add(`let a0 = B[${o4} * 4]; let a1 = B[${o4} * 4 + 1]; let a2 = B[${o4} * 4 + 2]; let a3 = B[${o4} * 4 + 3];`);
    else s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
    s.add(`for (let kh = 0; kh < ${g.kH}; kh++) { let ih = ${ih0} + kh * ${g.dilationH}; if (ih >= 0 && ih < ${g.inH}) {`);
    s.add(`for (let kw = 0; kw < ${g.kW}; kw++) { let iw = ${iw0} + kw * ${g.dilationW}; if (iw >= 0 && iw < ${g.inW}) {`);
    s.add(`let wo = ${wBase} + kh * ${g.kW} + kw;`);
    s.add('let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;');
    // 4×4 step when x can be packed 4 input channels per texel too; else a 1×4 step
    const xPacked = cpg % 4 === 0;
    const Pin = g.inH * g.inW;
    if (xPacked) {
      const xBase4 = s.let('xb4', `(${nb} * ${g.inChannels / 4} + ${grp} * ${cpg / 4}) * ${Pin}`);
      s.add(`let xo = ${xBase4} + ih * ${g.inW} + iw;`);
      sumLoop4x4(s, ['s0', 's1', 's2', 's3'], cpg / 4, (c4, sv, vs) =>
        `let ${sv} = XP[xo + ${c4} * ${Pin}]; ${vs.map((v, j) => `let ${v} = WP[wo + (${c4} * 4 + ${j}) * ${g.kH * g.kW}];`).join(' ')}`);
    } else {
      s.add(`let xo = ${xBase} + ih * ${g.inW} + iw;`);
      s.add(`for (let c = 0; c < ${cpg}; c++) { let xv = X[xo + c * ${Pin}]; let wv = WP[wo + c * ${g.kH * g.kW}];`);
      s.add('s0 += xv * wv[0]; s1 += xv * wv[1]; s2 += xv * wv[2]; s3 += xv * wv[3]; }');
    }
    s.add('a0 += s0; a1 += s1; a2 += s2; a3 += s3; } } } }');
    let tile: GpuData;
    let xp: GpuData | null = null;
    try {
      if (xPacked) xp = this.packChannels4(xd, g.batch, g.inChannels, Pin);
      const args: Arg[] = [xp ?? xd, packed];
      if (bd) args.push(bd);
      tile = this.run(s.kernel([xPacked ? 'XP' : 'X', 'WP', ...(bd ? ['B'] : [])], '[a0, a1, a2, a3]'), g.batch * O4 * P, args, 'float32', true);
    } finally {
      this.disposeData(packed);
      if (xp) this.disposeData(xp);
    }
    return this.unpack4(tile, g.batch, g.outChannels, P);
  }

  /** Packs an NCHW-like [batch, channels, P] tensor 4 channels per RGBA texel: texel (nb, c/4, p) = x[nb, c..c+3, p]. */
  private packChannels4(d: GpuData, batch: number, channels: number, P: number): GpuData {
    const ps = new Src();
    const [nbc4, pp] = ps.divmod('i', P);
    const pb = ps.let('pb', `${nbc4} * ${4 * P} + ${pp}`);
    return this.run(ps.kernel(['X'], `[X[${pb}], X[${pb} + ${P}], X[${pb} + ${2 * P}], X[${pb} + ${3 * P}]]`), batch * (channels / 4) * P, [d], 'float32', true);
  }

  /**
   * Unpacks (and disposes) an RGBA tile result: out[nb, c, p] = tile[(nb·C/4 + c/4)·P + p][c % 4], for `batch` × `channels`
   * × `P` outputs (channels a multiple of 4).
   */
  private unpack4(tile: GpuData, batch: number, channels: number, P: number): GpuData {
    const us = new Src();
    const [nbc, p] = us.divmod('i', P);
    const [nb, c] = us.divmod(nbc, channels);
    const [q, comp] = us.divmod(c, 4, true);
    us.add(`let v = T[(${nb} * ${channels / 4} + ${q}) * ${P} + ${p}];`);
    try {
      return this.run(us.kernel(['T'], `${comp} == 0 ? v[0] : (${comp} == 1 ? v[1] : (${comp} == 2 ? v[2] : v[3]))`), batch * channels * P, [tile]);
    } finally {
      this.disposeData(tile);
    }
  }

  conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, geo: Conv2dGeometry): DataId {
    const dd = this.data(dy.dataId);
    const wd = this.data(w.dataId);
    const g = geo;
    const n = g.batch * g.inChannels * g.inH * g.inW;
    if (n === 0) return this.track(null, 0, 'float32');
    if (g.inChannelsPerGroup % 4 === 0 && dd.size > 0) return this.conv2dBackwardInputPacked(dd, wd, g);
    const cpg = g.inChannelsPerGroup;
    const opg = g.outChannelsPerGroup;
    const s = new Src();
    const [nbc, hw] = s.divmod('i', g.inH * g.inW);
    const [ih, iw] = s.divmod(hw, g.inW);
    const [nb, ci] = s.divmod(nbc, g.inChannels);
    const [grp, cl] = g.groups === 1 ? [s.zero(), ci] : s.divmod(ci, cpg, true);
    const dyBase = s.let('db', `(${nb} * ${g.outChannels} + ${grp} * ${opg}) * ${g.outH * g.outW}`);
    const wBase = s.let('wb', `(${grp} * ${opg} * ${cpg} + ${cl}) * ${g.kH * g.kW}`);
    s.add('let acc = 0;');
    openBackwardInputTaps(s, g, ih, iw);
    s.add(`let dyo = ${dyBase} + oh * ${g.outW} + ow; let wo = ${wBase} + kh * ${g.kW} + kw; let part = 0;`);
    sumLoop(s, 'part', opg, (oo) => `DY[dyo + ${oo} * ${g.outH * g.outW}] * W[wo + ${oo} * ${cpg * g.kH * g.kW}]`);
    s.add('acc += part; } } } }');
    return this.run(s.kernel(['DY', 'W'], 'acc'), n, [dd, wd]);
  }

  /**
   * The transposed implicit GEMM with a 4-input-channel register tile: the weights are packed transposed into an RGBA
   * texture (texel (c/4, oo, kh, kw) holds w[grp·O/g + oo, 4·(c/4 % C/g/4) + 0..3, kh, kw]); each invocation computes 4
   * input channels of one input pixel, walking the kernel taps whose stride division is exact, then the group's output
   * channels (every dy fetch feeds 4 multiply-adds). An unpack pass writes NCHW.
   */
  private conv2dBackwardInputPacked(dd: GpuData, wd: GpuData, g: Conv2dGeometry): GpuData {
    const cpg = g.inChannelsPerGroup;
    const opg = g.outChannelsPerGroup;
    const KHW = g.kH * g.kW;
    const C4 = g.inChannels / 4;
    const cpg4 = cpg / 4;
    const Pin = g.inH * g.inW;
    const Pout = g.outH * g.outW;
    // pack: texel (c4, oo, khw)
    const ps = new Src();
    const [c4oo, khw] = ps.divmod('i', KHW);
    const [c4, oo] = ps.divmod(c4oo, opg);
    const [pg, pcl4] = g.groups === 1 ? [ps.zero(), c4] : ps.divmod(c4, cpg4, true);
    const pb = ps.let('pb', `((${pg} * ${opg} + ${oo}) * ${cpg} + ${pcl4} * 4) * ${KHW} + ${khw}`);
    const packed = this.run(ps.kernel(['W'], `[W[${pb}], W[${pb} + ${KHW}], W[${pb} + ${2 * KHW}], W[${pb} + ${3 * KHW}]]`), C4 * opg * KHW, [wd], 'float32', true);
    const s = new Src();
    const [nbc, hw] = s.divmod('i', Pin);
    const [ih, iw] = s.divmod(hw, g.inW);
    const [nb, ci4] = s.divmod(nbc, C4);
    const grp = g.groups === 1 ? s.zero() : s.divmod(ci4, cpg4, true)[0];
    const dyBase = s.let('db', `(${nb} * ${g.outChannels} + ${grp} * ${opg}) * ${Pout}`);
    const wBase = s.let('wb', `${ci4} * ${opg * KHW}`);
    s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
    openBackwardInputTaps(s, g, ih, iw);
    s.add(`let wo = ${wBase} + kh * ${g.kW} + kw;`);
    s.add('let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;');
    // 4×4 step when dy can be packed 4 output channels per texel too; else a 1×4 step
    const dyPacked = opg % 4 === 0;
    if (dyPacked) {
      const dyBase4 = s.let('db4', `(${nb} * ${g.outChannels / 4} + ${grp} * ${opg / 4}) * ${Pout}`);
      s.add(`let dyo = ${dyBase4} + oh * ${g.outW} + ow;`);
      sumLoop4x4(s, ['s0', 's1', 's2', 's3'], opg / 4, (o4, sv, vs) =>
        `let ${sv} = DYP[dyo + ${o4} * ${Pout}]; ${vs.map((v, j) => `let ${v} = WP[wo + (${o4} * 4 + ${j}) * ${KHW}];`).join(' ')}`);
    } else {
      s.add(`let dyo = ${dyBase} + oh * ${g.outW} + ow;`);
      sumLoop4(s, ['s0', 's1', 's2', 's3'], opg, (o, sv, vv) => `let ${sv} = DY[dyo + ${o} * ${Pout}]; let ${vv} = WP[wo + ${o} * ${KHW}];`);
    }
    s.add('a0 += s0; a1 += s1; a2 += s2; a3 += s3; } } } }');
    let tile: GpuData;
    let dyp: GpuData | null = null;
    try {
      if (dyPacked) {
        dyp = this.packChannels4(dd, g.batch, g.outChannels, Pout);
        tile = this.run(s.kernel(['DYP', 'WP'], '[a0, a1, a2, a3]'), g.batch * C4 * Pin, [dyp, packed], 'float32', true);
      } else {
        tile = this.run(s.kernel(['DY', 'WP'], '[a0, a1, a2, a3]'), g.batch * C4 * Pin, [dd, packed], 'float32', true);
      }
    } finally {
      this.disposeData(packed);
      if (dyp) this.disposeData(dyp);
    }
    return this.unpack4(tile, g.batch, g.inChannels, Pin);
  }

  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId {
    const xd = this.data(x.dataId);
    const dd = this.data(dy.dataId);
    const g = geo;
    const cpg = g.inChannelsPerGroup;
    const n = g.outChannels * cpg * g.kH * g.kW;
    if (n === 0) return this.track(null, 0, 'float32');
    if (g.outChannelsPerGroup % 4 === 0 && dd.size > 0 && xd.size > 0) return this.conv2dBackwardFilterPacked(xd, dd, g);
    const s = new Src();
    const [oc, khw] = s.divmod('i', g.kH * g.kW);
    const [kh, kw] = s.divmod(khw, g.kW, true);
    const [o, cl] = s.divmod(oc, cpg);
    const grp = g.groups === 1 ? s.zero() : s.divmod(o, g.outChannelsPerGroup, true)[0];
    const ci = s.let('ci', `${grp} * ${cpg} + ${cl}`);
    const ihOff = s.let('iho', `${kh} * ${g.dilationH} - ${g.padTop}`);
    const iwOff = s.let('iwo', `${kw} * ${g.dilationW} - ${g.padLeft}`);
    s.add('let acc = 0;');
    s.add(`for (let nb = 0; nb < ${g.batch}; nb++) { let img = 0; let xb = (nb * ${g.inChannels} + ${ci}) * ${g.inH * g.inW}; let db = (nb * ${g.outChannels} + ${o}) * ${g.outH * g.outW};`);
    s.add(`for (let oh = 0; oh < ${g.outH}; oh++) { let ih = oh * ${g.strideH} + ${ihOff}; if (ih >= 0 && ih < ${g.inH}) { let row = 0;`);
    s.add(`for (let ow = 0; ow < ${g.outW}; ow++) { let iw = ow * ${g.strideW} + ${iwOff}; if (iw >= 0 && iw < ${g.inW}) {`);
    s.add(`row += DY[db + oh * ${g.outW} + ow] * X[xb + ih * ${g.inW} + iw]; } }`);
    s.add('img += row; } }');
    s.add('acc += img; }');
    return this.run(s.kernel(['X', 'DY'], 'acc'), n, [xd, dd]);
  }

  /**
   * The weight gradient with a 4-output-channel register tile: dy is packed into an RGBA texture (4 output channels
   * per texel, [N, O/4, outH·outW]); each invocation computes dw for 4 output channels of one (input channel, kh, kw),
   * reducing over N · outH · outW with row and image partial sums (every x fetch feeds 4 multiply-adds, every dy fetch
   * brings 4 values). An unpack pass writes [O, C/g, kH, kW].
   */
  private conv2dBackwardFilterPacked(xd: GpuData, dd: GpuData, g: Conv2dGeometry): GpuData {
    const cpg = g.inChannelsPerGroup;
    const KHW = g.kH * g.kW;
    const O4 = g.outChannels / 4;
    const Pout = g.outH * g.outW;
    const OW4 = Math.ceil(g.outW / 4);
    if (g.kW * g.batch * g.inChannels * g.inH * OW4 <= 1 << 22) return this.conv2dBackwardFilterRows4(xd, dd, g);
    const packed = this.packChannels4(dd, g.batch, g.outChannels, Pout); // texel (nb, o4, p) holds dy[nb, 4·o4 + 0..3, p]
    const s = new Src();
    const [o4c, khw] = s.divmod('i', KHW);
    const [kh, kw] = s.divmod(khw, g.kW, true);
    const [o4, cl] = s.divmod(o4c, cpg);
    const grp = g.groups === 1 ? s.zero() : s.divmod(o4, g.outChannelsPerGroup / 4, true)[0];
    const ci = s.let('ci', `${grp} * ${cpg} + ${cl}`);
    const ihOff = s.let('iho', `${kh} * ${g.dilationH} - ${g.padTop}`);
    const iwOff = s.let('iwo', `${kw} * ${g.dilationW} - ${g.padLeft}`);
    s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
    s.add(`for (let nb = 0; nb < ${g.batch}; nb++) { let m0 = 0; let m1 = 0; let m2 = 0; let m3 = 0; let xb = (nb * ${g.inChannels} + ${ci}) * ${g.inH * g.inW}; let db = (nb * ${O4} + ${o4}) * ${Pout};`);
    s.add(`for (let oh = 0; oh < ${g.outH}; oh++) { let ih = oh * ${g.strideH} + ${ihOff}; if (ih >= 0 && ih < ${g.inH}) { let r0 = 0; let r1 = 0; let r2 = 0; let r3 = 0;`);
    s.add(`for (let ow = 0; ow < ${g.outW}; ow++) { let iw = ow * ${g.strideW} + ${iwOff}; if (iw >= 0 && iw < ${g.inW}) {`);
    s.add(`let xv = X[xb + ih * ${g.inW} + iw]; let dv = DYP[db + oh * ${g.outW} + ow];`);
    s.add('r0 += xv * dv[0]; r1 += xv * dv[1]; r2 += xv * dv[2]; r3 += xv * dv[3]; } }');
    s.add('m0 += r0; m1 += r1; m2 += r2; m3 += r3; } }');
    s.add('a0 += m0; a1 += m1; a2 += m2; a3 += m3; }');
    let tile: GpuData;
    try {
      tile = this.run(s.kernel(['X', 'DYP'], '[a0, a1, a2, a3]'), O4 * cpg * KHW, [xd, packed], 'float32', true);
    } finally {
      this.disposeData(packed);
    }
    return this.unpack4(tile, 1, g.outChannels, cpg * KHW);
  }

  /**
   * dw with a 4×4 step: the reduction runs over output pixels, 4 adjacent output columns at a time. x is copied once
   * per kernel column kw into XS (texel (kw, nb, c, ih, ow/4) holds x[nb, c, ih, (ow + j)·strideW + kw·dilationW -
   * padLeft] for j = 0..3, zero outside the image or past outW), and dy into DYW (texel (nb, o, oh, ow/4) holds
   * dy[nb, o, oh, ow + 0..3], zero past outW): each step is one XS fetch and four DYW fetches (the 4 output channels)
   * for 16 multiply-adds. Row / image partial sums as in the 1×4 kernel.
   */
  private conv2dBackwardFilterRows4(xd: GpuData, dd: GpuData, g: Conv2dGeometry): GpuData {
    const cpg = g.inChannelsPerGroup;
    const KHW = g.kH * g.kW;
    const O4 = g.outChannels / 4;
    const OW4 = Math.ceil(g.outW / 4);
    const NC = g.batch * g.inChannels;
    const plane = g.inH * OW4; // XS texels per (kw, nb, c)
    const xsS = new Src();
    const [xr, xq] = xsS.divmod('i', OW4);
    const [xr2, xih] = xsS.divmod(xr, g.inH);
    const [xkw, xpl] = xsS.divmod(xr2, NC);
    const xb = xsS.let('xb', `${xpl} * ${g.inH * g.inW} + ${xih} * ${g.inW}`);
    for (let j = 0; j < 4; j++) {
      xsS.add(`let ow${j} = ${xq} * 4 + ${j}; let iw${j} = ow${j} * ${g.strideW} + ${xkw} * ${g.dilationW} - ${g.padLeft}; let v${j} = 0;`);
      xsS.add(`if (ow${j} < ${g.outW} && iw${j} >= 0 && iw${j} < ${g.inW}) { v${j} = X[${xb} + iw${j}]; }`);
    }
    const dwS = new Src();
    const [drow, dq] = dwS.divmod('i', OW4);
    for (let j = 0; j < 4; j++) {
      dwS.add(`let ow${j} = ${dq} * 4 + ${j}; let v${j} = 0;`);
      dwS.add(`if (ow${j} < ${g.outW}) { v${j} = DY[${drow} * ${g.outW} + ow${j}]; }`);
    }
    const s = new Src();
    const [o4c, khw] = s.divmod('i', KHW);
    const [kh, kw] = s.divmod(khw, g.kW, true);
    const [o4, cl] = s.divmod(o4c, cpg);
    const grp = g.groups === 1 ? s.zero() : s.divmod(o4, g.outChannelsPerGroup / 4, true)[0];
    const ci = s.let('ci', `${grp} * ${cpg} + ${cl}`);
    const ihOff = s.let('iho', `${kh} * ${g.dilationH} - ${g.padTop}`);
    const xsb = s.let('xsb', `${kw} * ${NC * plane} + ${ci} * ${plane}`);
    const dyStep = g.outH * OW4; // DYW texels per (nb, o)
    s.add('let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;');
    s.add(`for (let nb = 0; nb < ${g.batch}; nb++) { let m0 = 0; let m1 = 0; let m2 = 0; let m3 = 0; let xb = ${xsb} + nb * ${g.inChannels * plane}; let db = (nb * ${g.outChannels} + ${o4} * 4) * ${dyStep};`);
    s.add(`for (let oh = 0; oh < ${g.outH}; oh++) { let ih = oh * ${g.strideH} + ${ihOff}; if (ih >= 0 && ih < ${g.inH}) { let r0 = 0; let r1 = 0; let r2 = 0; let r3 = 0;`);
    s.add(`let xr = xb + ih * ${OW4}; let dr = db + oh * ${OW4};`);
    s.add(`for (let q = 0; q < ${OW4}; q++) { let xs = XS[xr + q];`);
    for (let j = 0; j < 4; j++) {
      s.add(`let d${j} = DYW[dr + ${j * dyStep} + q]; r${j} += xs[0] * d${j}[0] + xs[1] * d${j}[1] + xs[2] * d${j}[2] + xs[3] * d${j}[3];`);
    }
    s.add('} m0 += r0; m1 += r1; m2 += r2; m3 += r3; } }');
    s.add('a0 += m0; a1 += m1; a2 += m2; a3 += m3; }');
    const xs = this.run(xsS.kernel(['X'], '[v0, v1, v2, v3]'), g.kW * NC * plane, [xd], 'float32', true);
    let dyw: GpuData | null = null;
    let tile: GpuData;
    try {
      dyw = this.run(dwS.kernel(['DY'], '[v0, v1, v2, v3]'), g.batch * g.outChannels * g.outH * OW4, [dd], 'float32', true);
      tile = this.run(s.kernel(['XS', 'DYW'], '[a0, a1, a2, a3]'), O4 * cpg * KHW, [xs, dyw], 'float32', true);
    } finally {
      this.disposeData(xs);
      if (dyw) this.disposeData(dyw);
    }
    return this.unpack4(tile, 1, g.outChannels, cpg * KHW);
  }

  // ---- pooling ------------------------------------------------------------------------------------
  pool2d(x: TensorInfo, geo: Pool2dGeometry): DataId {
    const xd = this.data(x.dataId);
    const g = geo;
    const n = g.batch * g.channels * g.outH * g.outW;
    if (n === 0) return this.track(null, 0, 'float32');
    const s = this.poolWindow(g, g.mode === 'max' ? 'max' : 'avg');
    return this.run(s.kernel(['X', 'rows', 'cols', 'rdiv', 'cdiv'], 'res'), n, [xd, table(g.rows), table(g.cols), table(g.rowDiv), table(g.colDiv)]);
  }

  /** The window loop of pooling: 'max' → res = max, 'arg' → res = in-plane index r·inW + c of the first max, 'avg' → mean. */
  private poolWindow(g: Pool2dGeometry, what: 'max' | 'arg' | 'avg'): Src {
    const s = new Src();
    const [plane, ohw] = s.divmod('i', g.outH * g.outW);
    const [oh, ow] = s.divmod(ohw, g.outW);
    const xBase = s.let('xb', `${plane} * ${g.inH * g.inW}`);
    if (what === 'avg') s.add('let acc = 0;');
    else s.add('let best = 0; let arg = -1;');
    s.add(`for (let t = 0; t < ${g.windowH}; t++) { let r = rows[${oh} * ${g.windowH} + t]; if (r >= 0) {`);
    s.add(`for (let u = 0; u < ${g.windowW}; u++) { let c = cols[${ow} * ${g.windowW} + u]; if (c >= 0) {`);
    s.add(`let v = X[${xBase} + r * ${g.inW} + c];`);
    if (what === 'avg') s.add('acc += v;');
    else s.add(`if (arg < 0 || v > best) { best = v; arg = r * ${g.inW} + c; }`);
    s.add('} } } }');
    if (what === 'avg') s.add(`let res = acc / (rdiv[${oh}] * cdiv[${ow}]);`);
    else s.add(`let res = ${what === 'max' ? 'best' : 'arg'};`);
    return s;
  }

  pool2dBackward(dy: TensorInfo, x: TensorInfo, geo: Pool2dGeometry): DataId {
    const dd = this.data(dy.dataId);
    const xd = this.data(x.dataId);
    const g = geo;
    const n = g.batch * g.channels * g.inH * g.inW;
    if (n === 0) return this.track(null, 0, 'float32');
    if (dd.size === 0) return this.fill(n, 0);
    const ir = invertWindows(g.rows, g.outH, g.windowH, g.inH);
    const ic = invertWindows(g.cols, g.outW, g.windowW, g.inW);
    const tabs: Arg[] = [table(g.rows), table(g.cols), table(g.rowDiv), table(g.colDiv)];
    let argmax: GpuData | null = null;
    if (g.mode === 'max') {
      const w = this.poolWindow(g, 'arg');
      argmax = this.run(w.kernel(['X', 'rows', 'cols', 'rdiv', 'cdiv'], 'res'), g.batch * g.channels * g.outH * g.outW, [xd, ...tabs]);
    }
    const s = new Src();
    const [plane, hw] = s.divmod('i', g.inH * g.inW);
    const [r, c] = s.divmod(hw, g.inW);
    const dyBase = s.let('db', `${plane} * ${g.outH * g.outW}`);
    s.add('let acc = 0;');
    s.add(`for (let a = 0; a < ${ir.width}; a++) { let oh = irows[${r} * ${ir.width} + a]; if (oh >= 0) {`);
    s.add(`for (let b = 0; b < ${ic.width}; b++) { let ow = icols[${c} * ${ic.width} + b]; if (ow >= 0) {`);
    s.add(`let o = ${dyBase} + oh * ${g.outW} + ow;`);
    if (g.mode === 'max') s.add(`if (AM[o] == ${hw}) { acc += DY[o]; }`);
    else s.add('acc += DY[o] / (rdiv[oh] * cdiv[ow]);');
    s.add('} } } }');
    let out: GpuData;
    if (argmax) {
      out = this.run(s.kernel(['DY', 'AM', 'irows', 'icols'], 'acc'), n, [dd, argmax, ir.tab, ic.tab]);
      this.disposeData(argmax);
    } else {
      out = this.run(s.kernel(['DY', 'irows', 'icols', 'rdiv', 'cdiv'], 'acc'), n, [dd, ir.tab, ic.tab, tabs[2], tabs[3]]);
    }
    return out;
  }
}

/**
 * Opens the loops over the kernel taps (kh, kw) that read input cell (ih, iw) in the forward pass of a strided,
 * dilated, padded conv, declaring the output position (oh, ow) each tap wrote. The caller closes with '} } } }'.
 * Stride division uses float floor with a half offset (integer division is inexact on some GL drivers).
 */
function openBackwardInputTaps(s: Src, g: Conv2dGeometry, ih: string, iw: string): void {
  const step = (out: string, t: string, stride: number) =>
    stride === 1 ? `let ${out} = ${t}; let ${out}ok = 1;` : `let ${out} = Math.floor((${t} + 0.5) / ${stride}); let ${out}ok = ${out} * ${stride} == ${t} ? 1 : 0;`;
  s.add(`for (let kh = 0; kh < ${g.kH}; kh++) { let th = ${ih} + ${g.padTop} - kh * ${g.dilationH}; ${step('oh', 'th', g.strideH)}`);
  s.add(`if (ohok > 0 && oh >= 0 && oh < ${g.outH}) {`);
  s.add(`for (let kw = 0; kw < ${g.kW}; kw++) { let tw = ${iw} + ${g.padLeft} - kw * ${g.dilationW}; ${step('ow', 'tw', g.strideW)}`);
  s.add(`if (owok > 0 && ow >= 0 && ow < ${g.outW}) {`);
}
