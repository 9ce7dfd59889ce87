/**
 * Reference point: TensorFlow.js's pure-JS CPU backend (the step itself: ./tfjs-conv.ts). Its backward is very slow (minutes), hence fewer default runs.
 */
import type { BenchAdapter, ConvSpec, Step } from '../types.js';
import { tfjsConvStep } from './tfjs-conv.js';

export const tfjsCpu: BenchAdapter = {
  name: 'tfjs-cpu',
  defaultRuns: 5,
  defaultWarmup: 1,
  async convStep(c: ConvSpec, backward: boolean): Promise<Step> {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    tf.env().set('PROD', true); // production mode: no debug checks, and no "install tfjs-node" banner on stdout
    await tf.setBackend('cpu');
    await tf.ready();
    return tfjsConvStep(tf, 'tfjs-cpu', c, backward);
  },
};
