/**
 * fusedConv2d (optional in the contract): `act(conv2d(x, w, bias) + residual)`. A backend with the kernel is
 * checked on it; one without it runs core's composition (conv2d, binary add, unary) — what core does for it — so
 * every backend answers every case. The reference composes the same way in float64.
 * Geometries: the paths backends specialise (Winograd 3×3, depthwise, 1×1, 7×7 stride 2, batch-1 channel splits)
 * with each fusable activation, with and without residual and bias, and NaN/±inf operands.
 */
import { broadcastGeometry, kernelOutput, resolveConv2d, type Backend, type Conv2dGeometry, type Conv2dOptions, type ConvEpilogue, type DataId, type TensorInfo, type UnaryOpName } from '@cnn/core';
import type { CaseGenerator, KernelCase, KernelInput } from '../types.js';
import { shapeText } from '../types.js';
import { UNIFORM, fanIn, type Fill } from '../values.js';

type Shape4 = [number, number, number, number];
type Act = { op: UnaryOpName; params: number[] } | null;

interface FusedSpec {
  x: Shape4;
  w: Shape4;
  opts: Conv2dOptions;
  bias: boolean;
  residual: boolean;
  act: Act;
  special?: boolean;
  note: string;
}

const relu: Act = { op: 'relu', params: [] };
const relu6: Act = { op: 'clamp', params: [0, 6] };

const SPECS: FusedSpec[] = [
  { x: [1, 16, 14, 14], w: [16, 16, 3, 3], opts: { padding: 1 }, bias: true, residual: true, act: relu, note: 'winograd, ResNet block tail' },
  { x: [2, 8, 9, 11], w: [12, 8, 3, 3], opts: { padding: 1 }, bias: true, residual: false, act: relu, note: 'winograd, batch 2' },
  { x: [1, 16, 7, 7], w: [32, 16, 3, 3], opts: { padding: 1 }, bias: true, residual: true, act: null, note: 'winograd, residual only' },
  { x: [1, 12, 12, 12], w: [12, 1, 3, 3], opts: { padding: 1, groups: 12 }, bias: true, residual: false, act: relu, note: 'depthwise' },
  { x: [1, 16, 13, 13], w: [16, 1, 3, 3], opts: { padding: 1, stride: 2, groups: 16 }, bias: true, residual: false, act: relu6, note: 'depthwise stride 2, ReLU6' },
  { x: [2, 8, 6, 6], w: [8, 1, 3, 3], opts: { padding: 1, groups: 8 }, bias: false, residual: true, act: relu, note: 'depthwise batch 2' },
  { x: [1, 16, 10, 10], w: [24, 16, 1, 1], opts: {}, bias: true, residual: false, act: relu, note: 'pointwise' },
  { x: [1, 16, 10, 10], w: [24, 16, 1, 1], opts: { stride: 2 }, bias: true, residual: false, act: relu, note: 'pointwise stride 2' },
  { x: [1, 3, 23, 23], w: [8, 3, 7, 7], opts: { stride: 2, padding: 3 }, bias: true, residual: false, act: relu, note: 'ResNet stem' },
  { x: [1, 8, 9, 9], w: [20, 8, 3, 3], opts: { stride: 2, padding: 1 }, bias: true, residual: true, act: { op: 'leakyRelu', params: [0.1] }, note: 'strided' },
  { x: [2, 4, 8, 8], w: [6, 4, 3, 3], opts: { padding: 1 }, bias: true, residual: false, act: { op: 'elu', params: [1.5] }, note: 'elu' },
  { x: [2, 4, 8, 8], w: [6, 4, 3, 3], opts: { padding: 1 }, bias: true, residual: true, act: { op: 'gelu', params: [] }, note: 'gelu' },
  { x: [1, 4, 8, 8], w: [6, 4, 3, 3], opts: { padding: 1 }, bias: true, residual: false, act: { op: 'sigmoid', params: [] }, note: 'sigmoid' },
  { x: [1, 4, 8, 8], w: [6, 4, 2, 2], opts: {}, bias: false, residual: true, act: { op: 'tanh', params: [] }, note: 'tanh' },
  { x: [0, 4, 8, 8], w: [6, 4, 3, 3], opts: { padding: 1 }, bias: true, residual: true, act: relu, note: 'empty batch' },
  { x: [2, 8, 9, 10], w: [8, 8, 3, 3], opts: { padding: 1 }, bias: true, residual: true, act: relu, note: 'winograd-eligible', special: true },
  { x: [1, 8, 8, 8], w: [8, 1, 3, 3], opts: { padding: 1, groups: 8 }, bias: true, residual: false, act: relu6, note: 'depthwise', special: true },
];

function describe(s: FusedSpec, geo: Conv2dGeometry): string {
  const opts = Object.entries(s.opts).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
  const act = s.act ? `${s.act.op}${s.act.params.length ? `(${s.act.params.join(', ')})` : ''}` : 'no activation';
  return `x ${shapeText(s.x)} w ${shapeText(s.w)}${opts ? ` ${opts}` : ''} → [${geo.batch},${geo.outChannels},${geo.outH},${geo.outW}]` +
    `${s.bias ? ' bias' : ''}${s.residual ? ' + residual' : ''}, ${act} (${s.note})${s.special ? ' with NaN/±inf' : ''}`;
}

/** core's composition for a backend without the kernel (and for the reference): conv2d, + residual, activation. */
export function composeFusedConv2d(be: Backend, x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, epilogue: ConvEpilogue, geo: Conv2dGeometry): DataId {
  const shape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
  let cur = be.conv2d(x, w, bias, geo);
  if (epilogue.residual) {
    const next = be.binary('add', { dataId: cur, shape, dtype: 'float32' }, epilogue.residual, broadcastGeometry('add', shape, shape), []);
    be.disposeData(cur);
    cur = next;
  }
  if (epilogue.activation) {
    const next = be.unary(epilogue.activation.op, { dataId: cur, shape, dtype: 'float32' }, epilogue.activation.params);
    be.disposeData(cur);
    cur = next;
  }
  return cur;
}

function fusedCase(s: FusedSpec): KernelCase {
  const { geo } = resolveConv2d('fusedConv2d', s.x, s.w, s.bias ? [s.w[0]] : null, s.opts);
  const yShape = [geo.batch, geo.outChannels, geo.outH, geo.outW];
  const data: Fill = s.special ? { kind: 'special', rate: 0.03 } : UNIFORM;
  const inputs: KernelInput[] = [
    { shape: [geo.batch, geo.inChannels, geo.inH, geo.inW], dtype: 'float32', fill: data },
    { shape: s.w, dtype: 'float32', fill: fanIn(geo.inChannelsPerGroup * geo.kH * geo.kW) },
  ];
  if (s.bias) inputs.push({ shape: [s.w[0]], dtype: 'float32', fill: UNIFORM });
  if (s.residual) inputs.push({ shape: yShape, dtype: 'float32', fill: data });
  return {
    name: `fusedConv2d ${describe(s, geo)}`,
    kernel: 'fusedConv2d',
    inputs,
    output: kernelOutput.conv2d(geo),
    call: (be, [x, w, ...rest]) => {
      const bias = s.bias ? rest[0] : null;
      const residual = s.residual ? rest[s.bias ? 1 : 0] : null;
      const epilogue: ConvEpilogue = { residual, activation: s.act };
      return be.fusedConv2d ? be.fusedConv2d(x, w, bias, epilogue, geo) : composeFusedConv2d(be, x, w, bias, epilogue, geo);
    },
  };
}

export const fusedConvKernelCases: CaseGenerator = () => SPECS.map(fusedCase);
