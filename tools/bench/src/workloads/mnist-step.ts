/**
 * mnist-step: one training step of PyTorch's MNIST example network (examples/mnist/main.py) through the public
 * tensor API: conv 1→32 3×3, relu, conv 32→64 3×3, relu, maxpool 2, dropout 0.25, flatten, linear 9216→128, relu,
 * dropout 0.5, linear 128→10; cross-entropy on a batch of 64; backward; Adam. The Node CLI builds it from `nn` layers
 * here (not from @cnn/models) so the bench does not depend on that package; the browser page passes
 * `models.mnistCnn` (the same network) to `buildMnistStep`. Reports images/s (and GFLOP/s by the direct count).
 * Browser-safe.
 */
import { F, manualSeed, nn, optim, randint, randn, setBackend, tidy, type Tensor } from '@cnn/core';
import type { Step, Workload } from '../types.js';

export const MNIST_BATCH = 64;
const BATCH = MNIST_BATCH;

export function mnistNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3 }),
    new nn.ReLU(),
    new nn.Conv2d({ inChannels: 32, outChannels: 64, kernelSize: 3 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Dropout({ p: 0.25 }),
    new nn.Flatten({ startDim: 1 }),
    new nn.Linear({ inFeatures: 9216, outFeatures: 128 }),
    new nn.ReLU(),
    new nn.Dropout({ p: 0.5 }),
    new nn.Linear({ inFeatures: 128, outFeatures: 10 }),
  );
}

/** Forward multiply-adds ×2: conv1 + conv2 + fc1 + fc2; the step is ≈ 3× forward, less conv1's unneeded input gradient. */
const conv1 = 2 * BATCH * 32 * 26 * 26 * 9;
const forward = conv1 + 2 * BATCH * 64 * 24 * 24 * 32 * 9 + 2 * BATCH * 9216 * 128 + 2 * BATCH * 128 * 10;

export const mnistStep: Workload = {
  kind: 'tensor-api',
  name: 'mnist-step',
  description: 'one training step (forward, backward, Adam) of the PyTorch MNIST example net, batch 64',
  flops: 3 * forward - conv1,
  images: BATCH,
  build: (backendName: string) => buildMnistStep(backendName, mnistNet),
};

/** One Adam training step of `makeNet()` (any network taking [64, 1, 28, 28] and returning [64, 10] logits) on
 * `backendName`, with fixed random images and labels (seed 1). */
export async function buildMnistStep(backendName: string, makeNet: () => nn.Module): Promise<Step> {
  await setBackend(backendName);
  manualSeed(1);
  const net = makeNet();
  const params = net.parameters();
  const opt = new optim.Adam(params, { lr: 1e-3 });
  const x = randn([BATCH, 1, 28, 28]).keep();
  const target = randint(0, 10, [BATCH]).keep();
  return {
    async run() {
      const loss: Tensor = tidy(() => {
        opt.zeroGrad();
        const l = F.crossEntropy(net.forward(x), target);
        l.backward();
        opt.step();
        return l;
      });
      await loss.data();
      // The queue runs in program order on asynchronous backends: the last parameter's update finishing means the
      // whole step did.
      await params[params.length - 1].data();
      loss.dispose();
    },
    dispose() {
      opt.dispose();
      net.dispose();
      x.dispose();
      target.dispose();
    },
  };
}
