/** LayerNormalization (opset 17) and InstanceNormalization onto core's layerNorm / instanceNorm. */
import { F, type Tensor } from '@cnn/core';
import { normAxis, optionalTensor, requireTensor, type OpContext, type OpImpl } from './context.js';

const sameShape = (t: Tensor | null, shape: readonly number[]): boolean => !t || t.shape.join() === shape.join();

/**
 * Normalises over the axes from `axis` on. Scale and B of the normalised shape (PyTorch's export) run in core's
 * layerNorm; ones that only broadcast to it, as ONNX allows, scale the standardised input. The optional Mean and
 * InvStdDev outputs keep the reduced axes as 1.
 */
function layerNormalization(ctx: OpContext): Tensor[] {
  const x = requireTensor(ctx, 0);
  const scale = requireTensor(ctx, 1);
  const bias = optionalTensor(ctx, 2);
  const axis = normAxis(ctx, ctx.attrs.int('axis', -1), x.rank);
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const normShape = x.shape.slice(axis);
  const axes = normShape.map((_, i) => axis + i);
  let y: Tensor;
  if (sameShape(scale, normShape) && sameShape(bias, normShape)) {
    y = F.layerNorm(x, normShape, scale, bias, { eps });
  } else {
    const centred = F.sub(x, F.mean(x, axes, true));
    const invStd = F.rsqrt(F.add(F.mean(F.mul(centred, centred), axes, true), eps));
    y = F.mul(F.mul(centred, invStd), scale);
    if (bias) y = F.add(y, bias);
  }
  if (ctx.numOutputs === 1) return [y];
  const mean = F.mean(x, axes, true);
  const centred = F.sub(x, mean);
  const invStd = F.rsqrt(F.add(F.mean(F.mul(centred, centred), axes, true), eps));
  return [y, mean, invStd];
}

export const NORM_OPS: Record<string, OpImpl> = {
  LayerNormalization: { run: layerNormalization },
  InstanceNormalization: {
    run: (ctx) => [F.instanceNorm(requireTensor(ctx, 0), null, null, requireTensor(ctx, 1), requireTensor(ctx, 2), { eps: ctx.attrs.float('epsilon', 1e-5) })],
  },
};
