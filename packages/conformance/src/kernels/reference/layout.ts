/** reduce, transpose, gather, gatherBackward and oneHot from their definitions in the contract. */
import { stridesOf, type GatherGeometry, type ReduceGeometry, type ReduceOpName, type TypedArray } from '@cnn/core';

/** sum in float64; max/min/argmax/argmin: NaN beats everything (the first NaN wins), ties keep the first index. */
export function reduce(op: ReduceOpName, x: TypedArray, geo: ReduceGeometry): TypedArray {
  const { outer, reduce: r, inner } = geo;
  const isArg = op === 'argmax' || op === 'argmin';
  const out = isArg ? new Int32Array(outer * inner) : new Float32Array(outer * inner);
  const better = op === 'max' || op === 'argmax' ? (v: number, m: number) => v > m : (v: number, m: number) => v < m;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number): number => x[(o * r + k) * inner + i];
      if (op === 'sum') {
        let s = 0;
        for (let k = 0; k < r; k++) s += at(k);
        out[o * inner + i] = s;
        continue;
      }
      let best = r > 0 ? at(0) : op === 'max' ? -Infinity : Infinity;
      let index = 0;
      for (let k = 1; k < r && best === best; k++) {
        const v = at(k);
        if (v !== v || better(v, best)) {
          best = v;
          index = k;
        }
      }
      out[o * inner + i] = isArg ? index : best;
    }
  }
  return out;
}

export function transpose(x: TypedArray, shape: readonly number[], perm: readonly number[]): TypedArray {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  const out = x instanceof Int32Array ? new Int32Array(x.length) : new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < outShape.length; d++) src += (Math.floor(i / outStrides[d]) % outShape[d]) * inStrides[perm[d]];
    out[i] = x[src];
  }
  return out;
}

export function gather(x: TypedArray, geo: GatherGeometry, value: number): TypedArray {
  const { outer, inH, inW, outH, outW, rows, cols } = geo;
  const out = x instanceof Int32Array ? new Int32Array(outer * outH * outW) : new Float32Array(outer * outH * outW);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const inside = rows[i] >= 0 && cols[j] >= 0;
        out[(o * outH + i) * outW + j] = inside ? x[(o * inH + rows[i]) * inW + cols[j]] : value;
      }
    }
  }
  return out;
}

/** The adjoint of gather: every output cell adds its gradient to the input cell it read (float64 sums). */
export function gatherBackward(dy: TypedArray, geo: GatherGeometry): Float32Array {
  const { outer, inH, inW, outH, outW, rows, cols } = geo;
  const acc = new Float64Array(outer * inH * inW);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        if (rows[i] >= 0 && cols[j] >= 0) acc[(o * inH + rows[i]) * inW + cols[j]] += dy[(o * outH + i) * outW + j];
      }
    }
  }
  return Float32Array.from(acc);
}

/** Rows whose index is not an integer in [0, depth) stay zero. */
export function oneHot(indices: TypedArray, depth: number): Float32Array {
  const out = new Float32Array(indices.length * depth);
  indices.forEach((c, i) => {
    if (Number.isInteger(c) && c >= 0 && c < depth) out[i * depth + c] = 1;
  });
  return out;
}
