import type { Tensor } from '../tensor.js';
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

  forward(x: Tensor): Tensor {
    let cur = x;
    const intermediates: Tensor[] = [];
    for (const layer of this.layers) {
      let next: Tensor;
      try {
        next = layer.forward(cur);
      } catch (err) {
        // A layer rejected its input: free the activations made so far (outside tidy they would leak).
        for (const t of intermediates) t.dispose();
        if (cur !== x) cur.dispose();
        throw err;
      }
      if (cur !== x) intermediates.push(cur);
      cur = next;
    }
    // The output owns the activations its autograd graph needs; disposing it frees them.
    return cur === x ? cur : cur.own(...intermediates);
  }
}
