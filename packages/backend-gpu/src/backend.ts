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
import { contiguousStrides, offsets, Src, sumLoop } from './codegen.js';
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
    s.add(`let xo = ${xBase} + ih * ${g.inW} + iw; let wo = ${wBase} + kh * ${g.kW} + kw;`);
    s.add('let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;');
    s.add(`for (let c = 0; c < ${cpg}; c++) { let xv = X[xo + c * ${g.inH * g.inW}]; let wv = WP[wo + c * ${g.kH * g.kW}];`);
    s.add('s0 += xv * wv[0]; s1 += xv * wv[1]; s2 += xv * wv[2]; s3 += xv * wv[3]; }');
    s.add('a0 += s0; a1 += s1; a2 += s2; a3 += s3; } } } }');
    const args: Arg[] = [xd, packed];
    if (bd) args.push(bd);
    let tile: GpuData;
    try {
      tile = this.run(s.kernel(bd ? ['X', 'WP', 'B'] : ['X', 'WP'], '[a0, a1, a2, a3]'), g.batch * O4 * P, args, 'float32', true);
    } finally {
      this.disposeData(packed);
    }
    // unpack: out[nb, o, p] = tile[(nb·O/4 + o/4)·P + p][o % 4]
    const us = new Src();
    const [nbo2, p] = us.divmod('i', P);
    const [, o] = us.divmod(nbo2, g.outChannels);
    const [q, comp] = us.divmod(o, 4, true);
    const nb2 = us.let('nb', `(${nbo2} - ${o}) / ${g.outChannels}`);
    us.add(`let v = T[(${nb2} * ${O4} + ${q}) * ${P} + ${p}];`);
    try {
      return this.run(us.kernel(['T'], `${comp} == 0 ? v[0] : (${comp} == 1 ? v[1] : (${comp} == 2 ? v[2] : v[3]))`), g.batch * g.outChannels * P, [tile]);
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
    const step = (out: string, t: string, stride: number) =>
      stride === 1 ? `let ${out} = ${t}; let ${out}ok = 1;` : `let ${out} = Math.floor((${t} + 0.5) / ${stride}); let ${out}ok = ${out} * ${stride} == ${t} ? 1 : 0;`;
    s.add(`for (let kh = 0; kh < ${g.kH}; kh++) { let th = ${ih} + ${g.padTop} - kh * ${g.dilationH}; ${step('oh', 'th', g.strideH)}`);
    s.add(`if (ohok > 0 && oh >= 0 && oh < ${g.outH}) {`);
    s.add(`for (let kw = 0; kw < ${g.kW}; kw++) { let tw = ${iw} + ${g.padLeft} - kw * ${g.dilationW}; ${step('ow', 'tw', g.strideW)}`);
    s.add(`if (owok > 0 && ow >= 0 && ow < ${g.outW}) {`);
    s.add(`let dyo = ${dyBase} + oh * ${g.outW} + ow; let wo = ${wBase} + kh * ${g.kW} + kw; let part = 0;`);
    sumLoop(s, 'part', opg, (oo) => `DY[dyo + ${oo} * ${g.outH * g.outW}] * W[wo + ${oo} * ${cpg * g.kH * g.kW}]`);
    s.add('acc += part; } } } }');
    return this.run(s.kernel(['DY', 'W'], 'acc'), n, [dd, wd]);
  }

  conv2dBackwardFilter(x: TensorInfo, dy: TensorInfo, geo: Conv2dGeometry): DataId {
    const xd = this.data(x.dataId);
    const dd = this.data(dy.dataId);
    const g = geo;
    const cpg = g.inChannelsPerGroup;
    const n = g.outChannels * cpg * g.kH * g.kW;
    if (n === 0) return this.track(null, 0, 'float32');
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
