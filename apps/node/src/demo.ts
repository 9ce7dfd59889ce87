/**
 * The quick-start job: trains the small CNN on the synthetic oriented-bars task with the default backend and prints
 * the test accuracy. (The MNIST trainer replaces this as the main job once @cnn/models lands.)
 */
import { getBackendName, manualSeed, setBackend } from '@cnn/core';
import '@cnn/backend-cpu';
import { evaluate, makeSmallCnn, makeSyntheticBars, trainSynthetic } from './synthetic.js';

async function main(): Promise<void> {
  const backend = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : undefined;
  if (backend) await setBackend(backend);
  manualSeed(1);
  const model = makeSmallCnn();
  const train = makeSyntheticBars(512, 11);
  const test = makeSyntheticBars(512, 12);
  console.log(`training a small CNN (${model.numParameters()} parameters) on ${train.count} synthetic 16×16 images, backend '${getBackendName()}'`);
  const started = performance.now();
  await trainSynthetic(model, train, {
    epochs: 25, batchSize: 32, lr: 0.01, seed: 3,
    onEpoch: (r) => console.log(`epoch ${String(r.epoch).padStart(2)}  loss ${r.loss.toFixed(4)}  train accuracy ${r.accuracy.toFixed(4)}`),
  });
  const accuracy = await evaluate(model, test);
  console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`test accuracy: ${accuracy.toFixed(4)}`);
  model.dispose();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
