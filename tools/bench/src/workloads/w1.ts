import type { ConvSpec, Workload } from '../types.js';

/** W1: a mid-network 3×3 conv layer. Input [32, 32, 32, 32], weight [64, 32, 3, 3], pad 1, stride 1. */
export const W1: ConvSpec = { input: [32, 32, 32, 32], weight: [64, 32, 3, 3], stride: 1, padding: 1, dilation: 1, groups: 1 };

/** 2·N·O·outH·outW·(C/groups)·kH·kW: the forward multiply-adds counted as two flops. */
export function convFlops(c: ConvSpec): number {
  const [n, , h, w] = c.input;
  const [o, cPerGroup, kH, kW] = c.weight;
  const outH = Math.floor((h + 2 * c.padding - c.dilation * (kH - 1) - 1) / c.stride) + 1;
  const outW = Math.floor((w + 2 * c.padding - c.dilation * (kW - 1) - 1) / c.stride) + 1;
  return 2 * n * o * outH * outW * cPerGroup * kH * kW;
}

export const w1Fwd: Workload = {
  kind: 'conv', name: 'w1-fwd', description: 'conv2d forward, W1', conv: W1, backward: false,
  flops: convFlops(W1), images: W1.input[0],
};

/** Forward + input gradient + weight gradient: three GEMMs of the same size. */
export const w1FwdBwd: Workload = {
  kind: 'conv', name: 'w1-fwdbwd', description: 'conv2d forward + backward (dx, dw), W1', conv: W1, backward: true,
  flops: 3 * convFlops(W1), images: W1.input[0],
};
