/* eslint-disable @typescript-eslint/no-require-imports -- `import x = require()` is how CommonJS TypeScript loads a package with the require condition, in the nodenext and bundler (module preserve) modes alike */
// Runs under Node as CommonJS (compiled to out/usage.cjs): every public entry point through `require`, so the
// `require` conditions (dist/*.cjs and dist/*.d.cts) are the ones checked.
import assert = require('node:assert/strict');
import core = require('@cnn/core');
import geometry = require('@cnn/core/geometry');
import cpu = require('@cnn/backend-cpu');
import cpuKernels = require('@cnn/backend-cpu/kernels');
import cpuElementwise = require('@cnn/backend-cpu/elementwise-kernels');
import workers = require('@cnn/backend-workers');
import gpu = require('@cnn/backend-gpu');
import backends = require('@cnn/backends');
import conformance = require('@cnn/conformance');
import conformanceVitest = require('@cnn/conformance/vitest');
import cnnModels = require('@cnn/models');
import modelsNode = require('@cnn/models/node');
import onnx = require('@cnn/onnx');

// Types from every entry point, used as types: a declaration that lost one fails to compile here.
type RunConformanceOptions = Parameters<typeof conformanceVitest.runConformance>[1];
const lenetConfig: cnnModels.models.LeNet5Config = cnnModels.models.lenet5().config;
const asClass: cnnModels.models.LeNet5 = cnnModels.models.lenet5();
const configOptions: cnnModels.models.AlexNetOptions = { numClasses: 10 };
const workerOptions: workers.WorkersOptions = { threads: 2 };
const gpuMode: gpu.GpuMode | undefined = undefined;
const conformanceOptions: RunConformanceOptions = { gradCheckCases: 0 };
const backendEntries: readonly backends.BackendPackage[] = [];
const conformanceFile: conformance.ConformanceFile | undefined = undefined;
const modelConfig: cnnModels.ModelConfig = lenetConfig;
void [asClass, configOptions, workerOptions, gpuMode, conformanceOptions, backendEntries, conformanceFile, modelConfig];

async function main(): Promise<void> {
  const { manualSeed, randn, setBackend, tensor, tidy } = core;
  await setBackend('cpu');
  assert.equal(core.getBackendName(), 'cpu');
  manualSeed(0);

  // A tensor op on the cpu backend.
  const product = tidy(() => tensor([[1, 2], [3, 4]]).matmul(tensor([[5, 6], [7, 8]])));
  assert.deepEqual(Array.from(await product.data()), [19, 22, 43, 50]);
  product.dispose();

  // A model from @cnn/models, rebuilt from its config, forward on a batch; then a safetensors round trip of its weights.
  const model = cnnModels.buildModel(lenetConfig);
  const logits: core.Tensor = tidy(() => model.forward(randn([2, 1, 28, 28])));
  assert.deepEqual(logits.shape, [2, 10]);
  logits.dispose();
  assert.ok(cnnModels.summary(model, [1, 1, 28, 28]).totalParams > 0);
  const weights = Object.fromEntries(model.namedParameters());
  const decoded = cnnModels.decodeSafetensors(await cnnModels.encodeSafetensors(weights));
  const [firstName, firstWeight] = Object.entries(weights)[0];
  assert.deepEqual(Array.from(decoded[firstName].data), Array.from(await firstWeight.data()));

  // ONNX: the model exported and imported back gives the same logits.
  model.eval();
  const imported: onnx.OnnxModel = await onnx.importOnnx(await onnx.exportOnnx(model, { inputShape: [1, 1, 28, 28] }));
  imported.eval();
  const probe = randn([1, 1, 28, 28]);
  const [direct, viaOnnx] = [await model.forward(probe).data(), await imported.forward(probe).data()];
  assert.ok(direct.every((v, i) => Math.abs(v - viaOnnx[i]) <= 1e-5), 'ONNX round trip');

  // Subpaths and the data files a package ships.
  assert.equal(geometry.convOutSize(5, 3, 1, 1, 0, 0), 3);
  assert.equal(typeof cpu.CpuBackend, 'function');
  assert.equal(typeof cpuKernels.matmul, 'function');
  assert.equal(typeof cpuElementwise.unary, 'function');
  assert.ok(conformance.fixtureFiles().length > 0, '@cnn/conformance ships its fixtures');
  assert.ok(backends.backendNames().includes('workers'));
  assert.equal(modelsNode.MODEL_WEIGHTS_FILE, 'model.safetensors');
  assert.ok(gpu.NODE_HELP.length > 0);
  assert.ok(new core.CnnError('usage: message') instanceof Error);

  // The worker pool started from the published bundle.
  workers.configureWorkers({ threads: 2 });
  await setBackend('workers');
  const onWorkers = tensor([1, -2, 3]).relu();
  assert.deepEqual(Array.from(await onWorkers.data()), [1, 0, 3]);
  onWorkers.dispose();
  await core.disposeBackend('workers');

  console.log(`cjs: ok (${core.memory().numTensors} live tensors)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
