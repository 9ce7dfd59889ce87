/**
 * Whole models from @cnn/models, at ImageNet size (3×224×224): `resnet18-infer` and `mobilenet-infer` (batch 1, eval
 * mode, no autograd; the step awaits the logits) and `resnet18-train` (batch 16, train mode, cross-entropy, backward,
 * SGD lr 0.01 momentum 0.9; the step awaits the loss and the last parameter's update). Weights are random (seed 1):
 * speed does not depend on them. The steps carry their model, so `--profile` attributes kernels to its layers.
 * The PyTorch anchor (anchors/torch_bench.py) runs the same workloads. Browser-safe.
 */
import { F, manualSeed, noGrad, nn, optim, profileScope, randint, randn, setBackend, tidy, type Tensor } from '@cnn/core';
import { models } from '@cnn/models';
import type { Step, Workload } from '../types.js';

/** Forward multiply-adds of the convs and the classifier (counted with forward hooks in PyTorch), ×2 for flops. */
const RESNET18_MACS = 1_814_073_344;
const MOBILENET_V1_MACS = 568_740_352;
export const TRAIN_BATCH = 16;

async function inferStep(backendName: string, make: () => nn.Module): Promise<Step> {
  await setBackend(backendName);
  manualSeed(1);
  const model = make().eval();
  const x = randn([1, 3, 224, 224]).keep();
  return {
    model,
    async run() {
      const y = tidy(() => noGrad(() => model.forward(x)));
      await y.data();
      y.dispose();
    },
    dispose() {
      model.dispose();
      x.dispose();
    },
  };
}

async function trainStep(backendName: string, make: () => nn.Module): Promise<Step> {
  await setBackend(backendName);
  manualSeed(1);
  const model = make().train();
  const params = model.parameters();
  const opt = new optim.SGD(params, { lr: 0.01, momentum: 0.9 });
  const x = randn([TRAIN_BATCH, 3, 224, 224]).keep();
  const target = randint(0, 1000, [TRAIN_BATCH]).keep();
  return {
    model,
    async run() {
      const loss: Tensor = tidy(() => {
        opt.zeroGrad();
        const l = profileScope('loss', () => F.crossEntropy(model.forward(x), target));
        l.backward();
        profileScope('optimizer', () => opt.step());
        return l;
      });
      await loss.data();
      // Asynchronous backends run in program order: the last update finishing means the whole step did.
      await params[params.length - 1].data();
      loss.dispose();
    },
    dispose() {
      opt.dispose();
      model.dispose();
      x.dispose();
      target.dispose();
    },
  };
}

export const resnet18Infer: Workload = {
  kind: 'tensor-api', name: 'resnet18-infer', description: 'ResNet-18 inference, batch 1, 3×224×224, eval mode',
  flops: 2 * RESNET18_MACS, images: 1,
  build: (backend) => inferStep(backend, () => new models.ResNet('resnet18')),
};

export const mobilenetInfer: Workload = {
  kind: 'tensor-api', name: 'mobilenet-infer', description: 'MobileNet v1 (α 1) inference, batch 1, 3×224×224, eval mode',
  flops: 2 * MOBILENET_V1_MACS, images: 1,
  build: (backend) => inferStep(backend, () => new models.MobileNetV1()),
};

/** Forward + input gradients + weight gradients: ≈ 3× the forward. */
export const resnet18Train: Workload = {
  kind: 'tensor-api', name: 'resnet18-train', description: 'ResNet-18 SGD training step, batch 16, 3×224×224',
  flops: 3 * 2 * RESNET18_MACS * TRAIN_BATCH, images: TRAIN_BATCH, maxRuns: 3, maxWarmup: 1,
  build: (backend) => trainStep(backend, () => new models.ResNet('resnet18')),
};
