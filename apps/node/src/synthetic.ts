/**
 * A learnable synthetic image task for end-to-end checks without a dataset download: 16×16 grey images holding one
 * bar — horizontal, vertical, diagonal or anti-diagonal — at a random place, in Gaussian noise. The class is the
 * orientation, so a conv net must learn oriented filters and pool them over position.
 */
import { Generator, nn, optim, tensor, tidy, F, type Tensor } from '@cnn/core';

export const SYNTHETIC_CLASSES = ['horizontal', 'vertical', 'diagonal', 'anti-diagonal'] as const;
export const SYNTHETIC_SIZE = 16;

export interface SyntheticData {
  images: Float32Array; // [n, 1, 16, 16]
  labels: Int32Array; // [n]
  count: number;
}

export function makeSyntheticBars(count: number, seed: number, noise = 0.3): SyntheticData {
  const g = new Generator(seed);
  const S = SYNTHETIC_SIZE;
  const images = new Float32Array(count * S * S);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = g.int(4);
    labels[n] = label;
    const img = images.subarray(n * S * S, (n + 1) * S * S);
    for (let i = 0; i < img.length; i++) img[i] = noise * g.normal();
    const len = 6 + g.int(5);
    const r0 = 2 + g.int(S - 4 - len);
    const c0 = 2 + g.int(S - 4 - len);
    const pos = 2 + g.int(S - 4);
    for (let t = 0; t < len; t++) {
      const [r, c] = label === 0 ? [pos, c0 + t] : label === 1 ? [r0 + t, pos] : label === 2 ? [r0 + t, c0 + t] : [r0 + t, c0 + len - 1 - t];
      img[r * S + c] += 1;
    }
  }
  return { images, labels, count };
}

/** conv → relu → maxpool → conv → relu → global average pool → linear. */
export function makeSmallCnn(classes = 4): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Conv2d({ inChannels: 16, outChannels: 32, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.GlobalAvgPool2d(),
    new nn.Linear({ inFeatures: 32, outFeatures: classes }),
  );
}

export interface EpochReport {
  epoch: number;
  loss: number;
  accuracy: number;
}

/** Trains with Adam on shuffled mini-batches; returns per-epoch loss and training accuracy. */
export async function trainSynthetic(
  model: nn.Module,
  data: SyntheticData,
  opts: { epochs: number; batchSize: number; lr: number; seed: number; onEpoch?: (r: EpochReport) => void },
): Promise<EpochReport[]> {
  const S = SYNTHETIC_SIZE;
  const optimizer = new optim.Adam(model.parameters(), { lr: opts.lr });
  const g = new Generator(opts.seed);
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const reports: EpochReport[] = [];
  model.train();
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = g.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < data.count; start += opts.batchSize) {
      await new Promise((resolve) => setImmediate(resolve)); // let the event loop run between batches
      const idx = order.subarray(start, Math.min(start + opts.batchSize, data.count));
      const xb = new Float32Array(idx.length * S * S);
      const yb = new Int32Array(idx.length);
      idx.forEach((k, r) => {
        xb.set(data.images.subarray(k * S * S, (k + 1) * S * S), r * S * S);
        yb[r] = data.labels[k];
      });
      const { loss, predicted } = tidy(() => {
        const x = tensor(xb, [idx.length, 1, S, S]);
        const y = tensor(yb, [idx.length], 'int32');
        const logits = model.forward(x);
        const loss = F.crossEntropy(logits, y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return { loss: loss.detach(), predicted: logits.argmax(1) };
      });
      lossSum += (await loss.item()) * idx.length;
      const p = await predicted.data();
      for (let r = 0; r < idx.length; r++) if (p[r] === yb[r]) correct++;
      loss.dispose();
      predicted.dispose();
    }
    const report = { epoch, loss: lossSum / data.count, accuracy: correct / data.count };
    reports.push(report);
    opts.onEpoch?.(report);
  }
  optimizer.dispose();
  return reports;
}

/** Accuracy of `model` on `data` in eval mode. */
export async function evaluate(model: nn.Module, data: SyntheticData, batchSize = 128): Promise<number> {
  const S = SYNTHETIC_SIZE;
  model.eval();
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const pred: Tensor = tidy(() => model.forward(tensor(data.images.slice(start * S * S, (start + n) * S * S), [n, 1, S, S])).argmax(1));
    const p = await pred.data();
    pred.dispose();
    for (let r = 0; r < n; r++) if (p[r] === data.labels[start + r]) correct++;
  }
  return correct / data.count;
}
