/**
 * Packing for the tiled kernels: 4 channels per RGBA texel, so one fetch brings 4 values. Results of tiled kernels
 * come back packed and are unpacked into the dense layout core expects.
 */
import { Src } from './codegen.js';
import type { GpuData, GpuRuntime } from './runtime.js';

/** Packs a `[batch, channels, P]` tensor 4 channels per RGBA texel: texel (nb, c/4, p) = x[nb, c..c+3, p]. */
export function packChannels4(rt: GpuRuntime, d: GpuData, batch: number, channels: number, P: number): GpuData {
  const ps = new Src();
  const [nbc4, pp] = ps.divmod('i', P);
  const pb = ps.let('pb', `${nbc4} * ${4 * P} + ${pp}`);
  return rt.run(ps.kernel(['X'], `[X[${pb}], X[${pb} + ${P}], X[${pb} + ${2 * P}], X[${pb} + ${3 * P}]]`), batch * (channels / 4) * P, [d], 'float32', true);
}

/**
 * Unpacks (and disposes) an RGBA tile result: out[nb, c, p] = tile[(nb·C/4 + c/4)·P + p][c % 4], for `batch` × `channels`
 * × `P` outputs (channels a multiple of 4).
 */
export function unpack4(rt: GpuRuntime, tile: GpuData, batch: number, channels: number, P: number): GpuData {
  const us = new Src();
  const [nbc, p] = us.divmod('i', P);
  const [nb, c] = us.divmod(nbc, channels);
  const [q, comp] = us.divmod(c, 4, true);
  us.add(`let v = T[(${nb} * ${channels / 4} + ${q}) * ${P} + ${p}];`);
  return rt.using([tile], () =>
    rt.run(us.kernel(['T'], `${comp} == 0 ? v[0] : (${comp} == 1 ? v[1] : (${comp} == 2 ? v[2] : v[3]))`), batch * channels * P, [tile]));
}
