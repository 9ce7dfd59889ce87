/**
 * matmul and the three convolution kernels as the sums that define them, accumulated in float64: direct loops, no
 * im2col, no Winograd, no tiling — slow and obviously right.
 */
import type { Conv2dGeometry, MatMulGeometry } from '@cnn/core';

export function matmul(a: Float32Array, b: Float32Array, geo: MatMulGeometry): Float32Array {
  const { batch, m, n, k, transA, transB, broadcastA, broadcastB } = geo;
  const out = new Float32Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    const aBase = broadcastA ? 0 : p * m * k;
    const bBase = broadcastB ? 0 : p * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) {
          s += a[aBase + (transA ? t * m + i : i * k + t)] * b[bBase + (transB ? j * k + t : t * n + j)];
        }
        out[(p * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

/** Which product a pass over the conv's taps accumulates: the three conv kernels are sums over the same taps. */
type Sum = 'forward' | 'input' | 'filter';

/**
 * Visits every (image, output channel, output cell, input channel of the group, tap) whose input cell lies inside the
 * unpadded input, with the flat indices xi, wi, yi of x, w and y, and adds the `sum`'s product into `acc`. One loop
 * (with a branch, not a callback, so it stays fast enough for the suite's large cases) for all three kernels.
 */
function sumOverTaps(sum: Sum, geo: Conv2dGeometry, p: Float32Array, q: Float32Array, acc: Float64Array): void {
  const { batch, inChannels, inH, inW, outChannels, kH, kW, outH, outW, inChannelsPerGroup: cpg, outChannelsPerGroup: opg } = geo;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const g = Math.floor(o / opg);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const yi = ((n * outChannels + o) * outH + oy) * outW + ox;
          for (let c = 0; c < cpg; c++) {
            for (let ky = 0; ky < kH; ky++) {
              const iy = oy * geo.strideH - geo.padTop + ky * geo.dilationH;
              if (iy < 0 || iy >= inH) continue;
              for (let kx = 0; kx < kW; kx++) {
                const ix = ox * geo.strideW - geo.padLeft + kx * geo.dilationW;
                if (ix < 0 || ix >= inW) continue;
                const xi = ((n * inChannels + g * cpg + c) * inH + iy) * inW + ix;
                const wi = ((o * cpg + c) * kH + ky) * kW + kx;
                if (sum === 'forward') acc[yi] += p[xi] * q[wi]; // y += x · w
                else if (sum === 'input') acc[xi] += p[yi] * q[wi]; // dx += dy · w
                else acc[wi] += p[xi] * q[yi]; // dw += x · dy
              }
            }
          }
        }
      }
    }
  }
}

export function conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, geo: Conv2dGeometry): Float32Array {
  const y = new Float64Array(geo.batch * geo.outChannels * geo.outH * geo.outW);
  sumOverTaps('forward', geo, x, w, y);
  const plane = geo.outH * geo.outW;
  if (bias) for (let i = 0; i < y.length; i++) y[i] += bias[Math.floor(i / plane) % geo.outChannels];
  return Float32Array.from(y);
}

export function conv2dBackwardInput(dy: Float32Array, w: Float32Array, geo: Conv2dGeometry): Float32Array {
  const dx = new Float64Array(geo.batch * geo.inChannels * geo.inH * geo.inW);
  sumOverTaps('input', geo, dy, w, dx);
  return Float32Array.from(dx);
}

export function conv2dBackwardFilter(x: Float32Array, dy: Float32Array, geo: Conv2dGeometry): Float32Array {
  const dw = new Float64Array(geo.outChannels * geo.inChannelsPerGroup * geo.kH * geo.kW);
  sumOverTaps('filter', geo, x, dy, dw);
  return Float32Array.from(dw);
}
