/**
 * Shape operators. Each has a host form on constants (so Shape → Gather → Concat → Reshape folds to numbers for the
 * actual input shape) and a tensor form (one reshape / permute / slice / concat of core).
 */
import { F, type Tensor } from '@cnn/core';
import { onnxFail } from '../errors.js';
import { TensorProto_DataType as DT } from '../generated/onnx.proto3_pb.js';
import { constFromTensorProto, isConst, makeConst, sizeOfShape, type Const, type Value } from '../values.js';
import { asFloat, normAxis, requireTensor, type OpContext, type OpImpl } from './context.js';

function shapeOf(v: Value): readonly number[] {
  return v.shape;
}

/** Axes from the attribute (older opsets) or input 1 (Squeeze / Unsqueeze 13+, ReduceMean 18+). */
function axesOf(ctx: OpContext, sinceInput: number): number[] | undefined {
  if (ctx.opset >= sinceInput) return ctx.constInput(1)?.data.slice();
  return ctx.attrs.ints('axes');
}

function reshapeTarget(ctx: OpContext, inShape: readonly number[]): number[] {
  const spec = ctx.constInput(1);
  if (!spec) onnxFail(`${ctx.where}: needs the shape input`);
  const allowZero = ctx.attrs.int('allowzero', 0) === 1;
  const out = spec.data.map((d, i) => (d === 0 && !allowZero ? inShape[i] : d));
  const known = out.filter((d) => d !== -1);
  if (out.length - known.length > 1) onnxFail(`${ctx.where}: shape [${spec.data.join(', ')}] has more than one -1`);
  if (known.length < out.length) out[out.indexOf(-1)] = sizeOfShape(inShape) / sizeOfShape(known);
  if (sizeOfShape(out) !== sizeOfShape(inShape) || out.some((d) => !Number.isInteger(d) || d < 0)) {
    onnxFail(`${ctx.where}: cannot reshape [${inShape.join(', ')}] to [${spec.data.join(', ')}]`);
  }
  return out;
}

function unsqueezeShape(ctx: OpContext, shape: readonly number[]): number[] {
  const axes = axesOf(ctx, 13);
  if (!axes) onnxFail(`${ctx.where}: needs axes`);
  const rank = shape.length + axes.length;
  const norm = axes.map((a) => normAxis(ctx, a, rank)).sort((a, b) => a - b);
  const out = [...shape];
  for (const a of norm) out.splice(a, 0, 1);
  return out;
}

function squeezeShape(ctx: OpContext, shape: readonly number[]): number[] {
  const axes = axesOf(ctx, 13);
  const drop = new Set(axes ? axes.map((a) => normAxis(ctx, a, shape.length)) : shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (shape[a] !== 1) onnxFail(`${ctx.where}: cannot squeeze axis ${a} of size ${shape[a]}`);
  return shape.filter((_, i) => !drop.has(i));
}

function flattenShape(ctx: OpContext, shape: readonly number[]): number[] {
  const axis = ctx.attrs.int('axis', 1);
  const a = axis < 0 ? axis + shape.length : axis;
  return [sizeOfShape(shape.slice(0, a)), sizeOfShape(shape.slice(a))];
}

/** Reshape-like operators: the same new shape for constants and tensors. */
function reshaping(target: (ctx: OpContext, shape: readonly number[]) => number[], constInputs: number[] = []): OpImpl {
  return {
    run: (ctx) => {
      const x = requireTensor(ctx, 0);
      return [F.reshape(x, target(ctx, x.shape))];
    },
    host: (ctx, [x]) => [makeConst(x!.dtype, target(ctx, x!.shape), x!.data)],
    constInputs,
  };
}

/** Slice's (start, end, step) per axis, clamped as ONNX specifies. */
function sliceSpec(ctx: OpContext, shape: readonly number[]): { axis: number; start: number; end: number; step: number }[] {
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.attrs.ints('starts') ?? [];
    ends = ctx.attrs.ints('ends') ?? [];
    axes = ctx.attrs.ints('axes');
  } else {
    starts = ctx.constInput(1)?.data.slice() ?? [];
    ends = ctx.constInput(2)?.data.slice() ?? [];
    axes = ctx.constInput(3)?.data.slice();
    steps = ctx.constInput(4)?.data.slice();
  }
  return starts.map((s, i) => {
    const axis = normAxis(ctx, axes ? axes[i] : i, shape.length);
    const dim = shape[axis];
    const step = steps ? steps[i] : 1;
    if (step === 0) onnxFail(`${ctx.where}: step 0 is invalid`);
    const wrap = (v: number): number => (v < 0 ? v + dim : v);
    // ONNX's clamping: [0, dim] for positive steps, start in [0, dim − 1] and end in [−1, dim − 1] for negative ones.
    if (step > 0) return { axis, start: Math.max(0, Math.min(dim, wrap(s))), end: Math.max(0, Math.min(dim, wrap(ends[i]))), step };
    return { axis, start: Math.max(0, Math.min(dim - 1, wrap(s))), end: Math.max(-1, Math.min(dim - 1, wrap(ends[i]))), step };
  });
}

function hostSlice(ctx: OpContext, x: Const): Const {
  let shape = [...x.shape];
  let data = [...x.data];
  for (const { axis, start, end, step } of sliceSpec(ctx, x.shape)) {
    const keep: number[] = [];
    for (let i = start; step > 0 ? i < end : i > end; i += step) keep.push(i);
    const inner = sizeOfShape(shape.slice(axis + 1));
    const outer = sizeOfShape(shape.slice(0, axis));
    const next: number[] = [];
    for (let o = 0; o < outer; o++) for (const k of keep) for (let j = 0; j < inner; j++) next.push(data[(o * shape[axis] + k) * inner + j]);
    shape = [...shape.slice(0, axis), keep.length, ...shape.slice(axis + 1)];
    data = next;
  }
  return makeConst(x.dtype, shape, data);
}

function hostGather(ctx: OpContext, x: Const, idx: Const): Const {
  const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.shape.length);
  const dim = x.shape[axis];
  const inner = sizeOfShape(x.shape.slice(axis + 1));
  const outer = sizeOfShape(x.shape.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of idx.data) {
      const k = raw < 0 ? raw + dim : raw;
      if (k < 0 || k >= dim) onnxFail(`${ctx.where}: index ${raw} is out of range for size ${dim}`);
      for (let j = 0; j < inner; j++) out.push(x.data[(o * dim + k) * inner + j]);
    }
  }
  return makeConst(x.dtype, [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], out);
}

/** Gather on a tensor with constant indices: slices along the axis (a scalar index drops the axis). */
function tensorGather(ctx: OpContext): Tensor {
  const x = requireTensor(ctx, 0);
  const idx = ctx.constInput(1);
  if (!idx) onnxFail(`${ctx.where}: indices must be constant`);
  const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.rank);
  const dim = x.shape[axis];
  const parts = idx.data.map((raw) => {
    const k = raw < 0 ? raw + dim : raw;
    return F.slice(x, axis, k, k + 1);
  });
  const joined = parts.length === 1 ? parts[0] : F.concat(parts, axis);
  return F.reshape(joined, [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)]);
}

function hostTranspose(ctx: OpContext, x: Const): Const {
  const rank = x.shape.length;
  const perm = ctx.attrs.ints('perm') ?? x.shape.map((_, i) => rank - 1 - i);
  const shape = perm.map((p) => x.shape[p]);
  const inStrides = x.shape.map((_, d) => sizeOfShape(x.shape.slice(d + 1)));
  const out: number[] = [];
  const idx = new Array<number>(rank).fill(0);
  for (let n = 0; n < x.data.length; n++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
    out.push(x.data[src]);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return makeConst(x.dtype, shape, out);
}

function hostConcat(ctx: OpContext, inputs: (Const | undefined)[]): Const {
  const parts = inputs.filter((c): c is Const => c !== undefined);
  const axis = normAxis(ctx, ctx.attrs.int('axis', 0), parts[0].shape.length);
  const outer = sizeOfShape(parts[0].shape.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = sizeOfShape(p.shape.slice(axis));
      out.push(...p.data.slice(o * chunk, (o + 1) * chunk));
    }
  }
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((a, p) => a + p.shape[axis], 0);
  return makeConst(parts.every((p) => p.dtype === 'int') ? 'int' : 'float', shape, out);
}

function constantValue(ctx: OpContext): Const {
  const a = ctx.attrs;
  const t = a.tensor('value');
  if (t) return constFromTensorProto(t, ctx.where);
  if (a.has('value_float')) return makeConst('float', [], [a.float('value_float', 0)]);
  if (a.has('value_floats')) return makeConst('float', [a.floats('value_floats')!.length], a.floats('value_floats')!);
  if (a.has('value_int')) return makeConst('int', [], [a.int('value_int', 0)]);
  if (a.has('value_ints')) return makeConst('int', [a.ints('value_ints')!.length], a.ints('value_ints')!);
  return onnxFail(`${ctx.where}: needs a value attribute (value, value_float(s) or value_int(s)); sparse and string values are not supported`);
}

function castTarget(ctx: OpContext): 'float' | 'int' {
  const to = ctx.attrs.int('to', DT.FLOAT);
  if (to === DT.FLOAT || to === DT.DOUBLE || to === DT.FLOAT16) return 'float';
  return 'int';
}

function splitSizes(ctx: OpContext, dim: number): number[] {
  const given = ctx.opset >= 13 ? ctx.constInput(1)?.data.slice() : ctx.attrs.ints('split');
  if (given) return given;
  const n = ctx.opset >= 18 ? ctx.attrs.int('num_outputs', ctx.numOutputs) : ctx.numOutputs;
  const size = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.min(size, dim - i * size));
}

/** Pads as [left, right, top, bottom] of the last two dims (core's F.pad); other dims must not be padded. */
function padArgs(ctx: OpContext, rank: number): { pads: number[]; value: number; mode: 'constant' | 'reflect' | 'replicate' } {
  const mode = ctx.attrs.string('mode', 'constant');
  const modes: Record<string, 'constant' | 'reflect' | 'replicate'> = { constant: 'constant', reflect: 'reflect', edge: 'replicate' };
  if (!modes[mode]) onnxFail(`${ctx.where}: pad mode '${mode}' is not supported (constant, reflect, edge)`);
  let pads: number[];
  let value: number;
  if (ctx.opset < 11) {
    pads = ctx.attrs.ints('pads') ?? [];
    value = ctx.attrs.float('value', 0);
  } else {
    pads = ctx.constInput(1)?.data.slice() ?? [];
    value = ctx.constInput(2)?.data[0] ?? 0;
    const axes = ctx.constInput(3)?.data;
    if (axes) {
      const full = new Array<number>(2 * rank).fill(0);
      axes.forEach((a, i) => {
        const ax = normAxis(ctx, a, rank);
        full[ax] = pads[i];
        full[rank + ax] = pads[axes.length + i];
      });
      pads = full;
    }
  }
  if (pads.length !== 2 * rank) onnxFail(`${ctx.where}: pads must have ${2 * rank} values, got [${pads.join(', ')}]`);
  for (let d = 0; d < rank - 2; d++) {
    if (pads[d] !== 0 || pads[rank + d] !== 0) onnxFail(`${ctx.where}: only the last two dimensions may be padded, got pads [${pads.join(', ')}]`);
  }
  return { pads: [pads[rank - 1], pads[2 * rank - 1], pads[rank - 2], pads[2 * rank - 2]], value, mode: modes[mode] };
}

export const SHAPE_OPS: Record<string, OpImpl> = {
  Identity: { run: (ctx) => [ctx.input(0)!], host: (_ctx, [x]) => [x!] },
  Constant: { run: (ctx) => [constantValue(ctx)], host: (ctx) => [constantValue(ctx)] },
  Shape: {
    run: (ctx) => {
      const shape = shapeOf(ctx.input(0)!);
      const rank = shape.length;
      const clamp = (v: number): number => Math.max(0, Math.min(rank, v < 0 ? v + rank : v));
      const start = ctx.opset >= 15 ? clamp(ctx.attrs.int('start', 0)) : 0;
      const end = ctx.opset >= 15 ? clamp(ctx.attrs.int('end', rank)) : rank;
      const dims = shape.slice(start, Math.max(start, end));
      return [makeConst('int', [dims.length], dims)];
    },
  },
  Cast: {
    run: (ctx) => {
      const x = ctx.input(0)!;
      const to = castTarget(ctx);
      if (isConst(x)) return [makeConst(to, x.shape, to === 'int' ? x.data.map(Math.trunc) : x.data)];
      return [F.cast(x, to === 'int' ? 'int32' : 'float32')];
    },
  },
  ConstantOfShape: {
    run: (ctx) => {
      const shape = ctx.constInput(0)?.data ?? [];
      const t = ctx.attrs.tensor('value');
      const v = t ? constFromTensorProto(t, ctx.where) : makeConst('float', [1], [0]);
      return [makeConst(v.dtype, shape, new Array<number>(sizeOfShape(shape)).fill(v.data[0]))];
    },
    constInputs: [0],
  },
  Reshape: reshaping(reshapeTarget, [1]),
  Flatten: reshaping(flattenShape),
  Unsqueeze: reshaping(unsqueezeShape, [1]),
  Squeeze: reshaping(squeezeShape, [1]),
  Gather: { run: (ctx) => [tensorGather(ctx)], host: (ctx, [x, i]) => [hostGather(ctx, x!, i!)], constInputs: [1] },
  Slice: {
    run: (ctx) => {
      let x = requireTensor(ctx, 0);
      for (const { axis, start, end, step } of sliceSpec(ctx, x.shape)) {
        if (step > 0) {
          x = F.slice(x, axis, start, end, step);
          continue;
        }
        // Backwards: start, start + step, … > end, one slice per element (core has no reversed slice).
        const parts: Tensor[] = [];
        for (let i = start; i > end; i += step) parts.push(F.slice(x, axis, i, i + 1));
        x = parts.length === 1 ? parts[0] : parts.length > 1 ? F.concat(parts, axis) : F.slice(x, axis, 0, 0);
      }
      return [x];
    },
    host: (ctx, [x]) => [hostSlice(ctx, x!)],
    constInputs: [1, 2, 3, 4],
  },
  Concat: {
    run: (ctx) => {
      const parts = Array.from({ length: ctx.numInputs }, (_, i) => requireTensor(ctx, i));
      return [F.concat(parts.some((p) => p.dtype === 'float32') ? parts.map(asFloat) : parts, ctx.attrs.int('axis', 0))];
    },
    host: (ctx, inputs) => [hostConcat(ctx, inputs)],
  },
  Transpose: {
    run: (ctx) => {
      const x = requireTensor(ctx, 0);
      const perm = ctx.attrs.ints('perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
      return [F.permute(x, perm)];
    },
    host: (ctx, [x]) => [hostTranspose(ctx, x!)],
  },
  Split: {
    run: (ctx) => {
      const x = requireTensor(ctx, 0);
      const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.rank);
      const sizes = splitSizes(ctx, x.shape[axis]);
      let offset = 0;
      return sizes.map((s) => {
        const part = F.slice(x, axis, offset, offset + s);
        offset += s;
        return part;
      });
    },
    constInputs: [1],
  },
  ReduceMean: {
    run: (ctx) => {
      const x = requireTensor(ctx, 0);
      const axes = axesOf(ctx, 18);
      const keep = ctx.attrs.int('keepdims', 1) === 1;
      if ((!axes || axes.length === 0) && ctx.attrs.int('noop_with_empty_axes', 0) === 1) return [x];
      const dims = axes && axes.length > 0 ? axes.map((a) => normAxis(ctx, a, x.rank)) : x.shape.map((_, i) => i);
      return [F.mean(x, dims, keep)];
    },
    constInputs: [1],
  },
  Pad: {
    run: (ctx) => {
      const x = requireTensor(ctx, 0);
      const { pads, value, mode } = padArgs(ctx, x.rank);
      return [F.pad(x, pads, mode === 'constant' ? { mode, value } : { mode })];
    },
    constInputs: [1, 2, 3],
  },
};

