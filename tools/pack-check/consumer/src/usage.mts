// Runs under Node as ESM (compiled to out/usage.mjs): the packages as published, imported by their public entry
// points. Type-checked in the nodenext and bundler modes; the subpaths only this file and usage.cts touch at run time.
import assert from 'node:assert/strict';
import { CnnError, disposeBackend, getBackendName, manualSeed, memory, randn, setBackend, tensor, tidy, type Tensor } from '@cnn/core';
import { convOutSize } from '@cnn/core/geometry';
import { CpuBackend } from '@cnn/backend-cpu';
import { matmul } from '@cnn/backend-cpu/kernels';
import { unary } from '@cnn/backend-cpu/elementwise-kernels';
import { configureWorkers, type WorkersOptions } from '@cnn/backend-workers';
import { NODE_HELP, type GpuMode } from '@cnn/backend-gpu';
import { backendNames, type BackendPackage } from '@cnn/backends';
import { fixtureFiles, parseConformanceFile, type ConformanceFile } from '@cnn/conformance';
import type { RunConformanceOptions } from '@cnn/conformance/vitest';
import { buildModel, decodeSafetensors, encodeSafetensors, models, summary, type ModelConfig } from '@cnn/models';
import { MODEL_WEIGHTS_FILE } from '@cnn/models/node';
import { exportOnnx, importOnnx, type OnnxModel } from '@cnn/onnx';

// Types from every entry point, used as types: a declaration that lost one fails to compile here.
const lenetConfig: models.LeNet5Config = models.lenet5().config;
const asClass: models.LeNet5 = models.lenet5();
const configOptions: models.AlexNetOptions = { numClasses: 10 };
const workerOptions: WorkersOptions = { threads: 2 };
const gpuMode: GpuMode | undefined = undefined;
const conformanceOptions: RunConformanceOptions = { gradCheckCases: 0 };
const backendEntries: readonly BackendPackage[] = [];
const conformanceFile: ConformanceFile | undefined = undefined;
const modelConfig: ModelConfig = lenetConfig;
void [asClass, configOptions, workerOptions, gpuMode, conformanceOptions, backendEntries, conformanceFile, modelConfig, parseConformanceFile];
assert.equal(typeof CpuBackend, 'function');
assert.equal(typeof matmul, 'function');
assert.equal(typeof unary, 'function');

await setBackend('cpu');
assert.equal(getBackendName(), 'cpu');
manualSeed(0);

// A tensor op on the cpu backend.
const product = tidy(() => tensor([[1, 2], [3, 4]]).matmul(tensor([[5, 6], [7, 8]])));
assert.deepEqual(Array.from(await product.data()), [19, 22, 43, 50]);
product.dispose();

// A model from @cnn/models, rebuilt from its config, forward on a batch; then a safetensors round trip of its weights.
const model = buildModel(lenetConfig);
const logits: Tensor = tidy(() => model.forward(randn([2, 1, 28, 28])));
assert.deepEqual(logits.shape, [2, 10]);
logits.dispose();
assert.ok(summary(model, [1, 1, 28, 28]).totalParams > 0);
const weights = Object.fromEntries(model.namedParameters());
const decoded = decodeSafetensors(await encodeSafetensors(weights));
const [firstName, firstWeight] = Object.entries(weights)[0];
assert.deepEqual(Array.from(decoded[firstName].data), Array.from(await firstWeight.data()));

// ONNX: the model exported and imported back gives the same logits.
model.eval();
const imported: OnnxModel = await importOnnx(await exportOnnx(model, { inputShape: [1, 1, 28, 28] }));
imported.eval();
const probe = randn([1, 1, 28, 28]);
const [direct, viaOnnx] = [await model.forward(probe).data(), await imported.forward(probe).data()];
assert.ok(direct.every((v, i) => Math.abs(v - viaOnnx[i]) <= 1e-5), 'ONNX round trip');

// Subpaths and the data files a package ships.
assert.equal(convOutSize(5, 3, 1, 1, 0, 0), 3);
assert.ok(fixtureFiles().length > 0, '@cnn/conformance ships its fixtures');
assert.ok(backendNames().includes('workers'));
assert.equal(MODEL_WEIGHTS_FILE, 'model.safetensors');
assert.ok(NODE_HELP.length > 0);
assert.ok(new CnnError('usage: message') instanceof Error);

// The worker pool started from the published bundle.
configureWorkers({ threads: 2 });
await setBackend('workers');
const onWorkers = tensor([1, -2, 3]).relu();
assert.deepEqual(Array.from(await onWorkers.data()), [1, 0, 3]);
onWorkers.dispose();
await disposeBackend('workers');

console.log(`esm: ok (${memory().numTensors} live tensors)`);
