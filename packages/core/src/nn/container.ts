import type { Tensor } from '../tensor.js';
import { Conv2d } from './conv.js';
import { convBnActivation, isFusableActivation, runChain } from './fusion.js';
import { BatchNorm2d } from './layers.js';
import { Module } from './module.js';

/** Runs its children in order; they are named '0', '1', … as in PyTorch. */
export class Sequential extends Module {
  static readonly layerName = 'Sequential';
  private readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Module {
    return this.layers[i < 0 ? this.layers.length + i : i];
  }

  /**
   * The layers in order. A run of Conv2d → BatchNorm2d → activation (either of the last two optional) goes through
   * convBnActivation, which is one fused conv in inference (eval mode, no gradient recorded) and the layers one by one
   * otherwise. The output owns the activations its autograd graph needs; the rest are freed as soon as used.
   */
  forward(x: Tensor): Tensor {
    const steps: ((t: Tensor) => Tensor)[] = [];
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      if (layer instanceof Conv2d) {
        const bn = layers[i + 1] instanceof BatchNorm2d ? (layers[i + 1] as BatchNorm2d) : null;
        const next = layers[i + (bn ? 2 : 1)];
        const act = next && isFusableActivation(next) ? next : null;
        steps.push((t) => convBnActivation(t, layer, bn, act));
        i += (bn ? 1 : 0) + (act ? 1 : 0);
        continue;
      }
      steps.push((t) => layer.forward(t));
    }
    return runChain(x, steps);
  }
}
