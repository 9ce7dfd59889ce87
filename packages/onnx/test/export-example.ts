// The README's "train here → ONNX Runtime" example, run by test/export-readme.test.ts.
import '@cnn/backend-cpu';
import { F, optim, randint, randn, setBackend, tidy } from '@cnn/core';
import { models } from '@cnn/models';
import { exportOnnx } from '@cnn/onnx';
import * as ort from 'onnxruntime-node';

export async function trainAndServe(): Promise<{ cnn: Float32Array; ort: Float32Array }> {
  await setBackend('cpu');
  // Train here (a few steps on random data stand in for a real loop; see @cnn/models' fit).
  const model = models.lenet5();
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  for (let step = 0; step < 3; step++) {
    tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(randn([8, 1, 28, 28])), randint(0, 10, [8])).backward();
      opt.step();
    });
  }
  // Export: one traced eval forward; initializers keep the state-dict names (conv1.weight, …).
  const bytes = await exportOnnx(model, { inputShape: [1, 1, 28, 28], opset: 13 });
  // (In Node: writeFileSync('lenet5.onnx', bytes); any ONNX runtime takes it from here.)

  // Serve with ONNX Runtime; its answer is cnn's.
  const x = randn([1, 1, 28, 28]);
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor('float32', (await x.data()) as Float32Array, [1, 1, 28, 28]) });
  const cnn = (await model.eval().forward(x).data()) as Float32Array;
  return { cnn, ort: out.output.data as Float32Array };
}
