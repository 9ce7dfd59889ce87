import type { Workload } from '../types.js';
import { w1Fwd, w1FwdBwd } from './w1.js';
import { mnistStep } from './mnist-step.js';

export const WORKLOADS: Record<string, Workload> = {
  [w1Fwd.name]: w1Fwd,
  [w1FwdBwd.name]: w1FwdBwd,
  [mnistStep.name]: mnistStep,
};
