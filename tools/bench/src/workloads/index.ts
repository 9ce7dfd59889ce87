import type { Workload } from '../types.js';
import { w1Fwd, w1FwdBwd } from './w1.js';
import { mnistStep } from './mnist-step.js';
import { mnistStepNoNet } from './safety-net.js';
import { convTranspose, convTransposeKernel, decoderFwdBwd } from './decoder.js';
import { mobilenetInfer, resnet18Infer, resnet18Train } from './models.js';

export const WORKLOADS: Record<string, Workload> = {
  [w1Fwd.name]: w1Fwd,
  [w1FwdBwd.name]: w1FwdBwd,
  [mnistStep.name]: mnistStep,
  [mnistStepNoNet.name]: mnistStepNoNet,
  [resnet18Infer.name]: resnet18Infer,
  [mobilenetInfer.name]: mobilenetInfer,
  [resnet18Train.name]: resnet18Train,
  [convTranspose.name]: convTranspose,
  [convTransposeKernel.name]: convTransposeKernel,
  [decoderFwdBwd.name]: decoderFwdBwd,
};
